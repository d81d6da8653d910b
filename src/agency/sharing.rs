//! A transparency-portal page's sharing lists, profiled: each owner's partners by level, its
//! out-of-state, federal and private partners (for `sharing`, the report and the docs).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Level, Profile, Profiler};
use crate::ingest::FileReport;

/// What one owner's sharing lists hold.
pub struct SharingSummary {
    /// The owner.
    pub owner: String,
    /// The owner's profile.
    pub owner_profile: Profile,
    /// The page it came from.
    pub file: String,
    /// Distinct partners (outbound and inbound).
    pub partners: Vec<(String, Profile)>,
    /// `sharing_outbound` entries.
    pub outbound: usize,
    /// `sharing_inbound` entries.
    pub inbound: usize,
}

impl SharingSummary {
    /// The partners in another state (both states known).
    pub fn out_of_state(&self) -> Vec<&str> {
        let Some(own) = self.owner_profile.state else {
            return Vec::new();
        };
        self.partners
            .iter()
            .filter(|(_, p)| p.state.is_some_and(|s| s != own))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The partners at a level.
    pub fn at(&self, level: Level) -> Vec<&str> {
        self.partners
            .iter()
            .filter(|(_, p)| p.level == level)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The partners without a known state.
    pub fn no_state(&self) -> usize {
        self.partners
            .iter()
            .filter(|(_, p)| p.state.is_none())
            .count()
    }

    /// Partners by level, every level listed.
    pub fn by_level(&self) -> BTreeMap<&'static str, usize> {
        Level::ALL
            .iter()
            .map(|l| (l.as_str(), self.at(*l).len()))
            .collect()
    }

    /// As `sharing --json` writes it.
    pub fn to_json(&self) -> Value {
        let oos = self.out_of_state();
        json!({
            "owner": self.owner,
            "owner_state": self.owner_profile.state,
            "owner_level": self.owner_profile.level.as_str(),
            "file": self.file,
            "partners": self.partners.len(),
            "outbound": self.outbound,
            "inbound": self.inbound,
            "out_of_state": oos.len(),
            "out_of_state_names": oos,
            "no_state": self.no_state(),
            "federal": self.at(Level::Federal).len(),
            "federal_names": self.at(Level::Federal),
            "private": self.at(Level::Private).len(),
            "private_names": self.at(Level::Private),
            "by_level": self.by_level(),
            "partner_287g_names": self.partners.iter().filter(|(_, p)| p.partner.is_some()).map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        })
    }
}

/// The sharing lists of every portal page among `reports`, profiled.
pub fn sharing_summaries(profiler: &Profiler, reports: &[FileReport]) -> Vec<SharingSummary> {
    reports
        .iter()
        .filter_map(|r| {
            let s = r.sharing.as_ref()?;
            let owner = super::who::owner_of(profiler, r);
            let mut seen = std::collections::HashSet::new();
            let partners = s
                .outbound
                .iter()
                .chain(&s.inbound)
                .filter(|n| seen.insert(n.as_str()))
                .map(|n| (n.clone(), profiler.profile(n)))
                .collect();
            Some(SharingSummary {
                owner: owner
                    .as_ref()
                    .map_or_else(|| "unknown".to_string(), |o| o.name.clone()),
                owner_profile: owner.map(|o| o.profile).unwrap_or_default(),
                file: r.path.clone(),
                partners,
                outbound: s.outbound.len(),
                inbound: s.inbound.len(),
            })
        })
        .collect()
}
