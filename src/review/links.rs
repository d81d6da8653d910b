//! What ties one search to others beyond its agency and reason: the account that ran it (the
//! officer's name, else the user id), its case number and the plate searched. One entry a record,
//! beside the dataset's other columns; the summary counts by account, and the context list of a
//! record finds the searches that share them.
//!
//! Accounts are interned (there are few). Case numbers and plates are kept as 32-bit hashes of
//! their normalised text (upper case, letters and digits only), 0 for none: four bytes a record
//! each, and a record needs only to be compared with others. Two different plates can share a
//! hash (about one record in four billion does), so the context list checks the records a hash
//! finds against their re-read cells before it shows them ([`key_text`]).

use rustc_hash::FxHashMap;

use crate::ingest::Row;
use crate::ingest::row::Text;
use crate::ingest::value::{decode, is_redaction};
use crate::intern::{Interner, Sym};
use crate::model::Field;

/// No account (neither an officer nor a user id, or both redacted).
pub const NO_ACCOUNT: Sym = 0;
/// No case number or plate.
pub const NO_KEY: u32 = 0;

/// The link keys of one record, as the loader ships them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkKeys {
    /// Account symbol ([`NO_ACCOUNT`] when none).
    pub account: Sym,
    /// Case-number hash ([`NO_KEY`] when none).
    pub case: u32,
    /// Plate hash ([`NO_KEY`] when none).
    pub plate: u32,
}

/// The link columns of a dataset.
#[derive(Clone, Debug)]
pub struct Links {
    /// Account symbol of each record.
    pub account: Vec<Sym>,
    /// Case-number hash of each record.
    pub case: Vec<u32>,
    /// Plate hash of each record.
    pub plate: Vec<u32>,
    accounts: Interner,
}

impl Default for Links {
    fn default() -> Links {
        let mut accounts = Interner::new();
        accounts.intern("");
        Links {
            account: Vec::new(),
            case: Vec::new(),
            plate: Vec::new(),
            accounts,
        }
    }
}

impl Links {
    /// Room for `additional` more records.
    pub fn reserve(&mut self, additional: usize) {
        self.account.reserve(additional);
        self.case.reserve(additional);
        self.plate.reserve(additional);
    }

    /// Accounts new to the loader, in symbol order (they get the next symbols here).
    pub fn add_accounts(&mut self, names: Vec<Box<str>>) {
        for n in names {
            self.accounts.intern(&n);
        }
    }

    /// One more record.
    pub fn push(&mut self, keys: LinkKeys) {
        self.account.push(keys.account);
        self.case.push(keys.case);
        self.plate.push(keys.plate);
    }

    /// An account's name ("" for [`NO_ACCOUNT`]).
    pub fn account_name(&self, sym: Sym) -> &str {
        if (sym as usize) < self.accounts.len() {
            self.accounts.resolve(sym)
        } else {
            ""
        }
    }

    /// The symbol of an account name, if any record has it.
    pub fn account_sym(&self, name: &str) -> Option<Sym> {
        self.accounts.get(name).filter(|&s| s != NO_ACCOUNT)
    }

    /// Number of accounts (the empty one included).
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }
}

/// Works out link keys in the loader: accounts are interned by their raw bytes, so each
/// distinct account is normalised once.
#[derive(Debug)]
pub struct LinkMaker {
    by_raw: FxHashMap<Box<[u8]>, Sym>,
    buf: Vec<u8>,
    names: Interner,
    sent: usize,
}

impl Default for LinkMaker {
    fn default() -> LinkMaker {
        let mut names = Interner::new();
        names.intern("");
        LinkMaker {
            by_raw: FxHashMap::default(),
            buf: Vec::with_capacity(64),
            names,
            sent: 1,
        }
    }
}

impl LinkMaker {
    /// The keys of a row.
    pub fn keys(&mut self, row: &Row<'_>) -> LinkKeys {
        let officer = self.account(row.raw(Field::Officer));
        let account = if officer != NO_ACCOUNT {
            officer
        } else {
            self.account(row.raw(Field::UserId))
        };
        LinkKeys {
            account,
            case: key_hash(row.raw(Field::CaseNumber), true, &mut self.buf),
            plate: key_hash(row.raw(Field::Plate), false, &mut self.buf),
        }
    }

    fn account(&mut self, raw: &[u8]) -> Sym {
        if raw.is_empty() {
            return NO_ACCOUNT;
        }
        if let Some(&s) = self.by_raw.get(raw) {
            return s;
        }
        let sym = match Text::from_cell(&decode(raw).0) {
            Text::Value(v) => self.names.intern(&v).0,
            _ => NO_ACCOUNT,
        };
        self.by_raw.insert(raw.into(), sym);
        sym
    }

    /// Accounts interned since the last call, in symbol order.
    pub fn take_new(&mut self) -> Vec<Box<str>> {
        let n = self.names.len();
        let out = (self.sent..n)
            .map(|s| self.names.resolve(s as Sym).into())
            .collect();
        self.sent = n;
        out
    }
}

/// A case number or plate as it is compared: letters and digits, upper case (`25-1001` and
/// `25 1001` are one case; `abc 123` and `ABC-123` one plate). None for an empty cell, a
/// redaction, or, for case numbers, a value without a digit other than 0 (`N/A`, `none`, `0`,
/// `-`: filler, not a case that ties searches together).
pub fn key_text(raw: &[u8], case: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    key_into(raw, case, &mut out).then_some(out)
}

/// [`key_text`] into `out` (cleared first); false when there is none.
fn key_into(raw: &[u8], case: bool, out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut digit = false;
    for &b in raw {
        if b.is_ascii_alphanumeric() || b >= 0x80 {
            out.push(b.to_ascii_uppercase());
            digit |= matches!(b, b'1'..=b'9');
        }
    }
    !(out.is_empty() || (case && !digit) || is_redaction(&decode(raw).0))
}

/// The hash of [`key_text`] ([`NO_KEY`] when there is none), using `buf` as scratch.
pub fn key_hash(raw: &[u8], case: bool, buf: &mut Vec<u8>) -> u32 {
    if raw.is_empty() || !key_into(raw, case, buf) {
        return NO_KEY;
    }
    match xxhash_rust::xxh3::xxh3_64(buf) as u32 {
        NO_KEY => 1,
        h => h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_and_plates_match_as_people_write_them() {
        let mut b = Vec::new();
        let mut key_hash = |raw: &[u8], case: bool| key_hash(raw, case, &mut b);
        assert_eq!(key_hash(b"25-1001", true), key_hash(b"25 1001", true));
        assert_eq!(key_hash(b"abc 123", false), key_hash(b"ABC-123", false));
        assert_ne!(key_hash(b"ABC123", false), key_hash(b"ABC124", false));
        for filler in [&b"N/A"[..], b"none", b"0", b"-", b"000", b""] {
            assert_eq!(key_hash(filler, true), NO_KEY, "{filler:?}");
        }
        // A plate needs no digit; a redaction is none.
        assert_ne!(key_hash(b"NODIGIT", false), NO_KEY);
        assert_eq!(key_hash(b"***", false), NO_KEY);
        assert_eq!(key_hash(b"REDACTED", false), NO_KEY);
    }
}
