//! The review UI at run time: a [`Session`] (the app, the loader, the effects it asks for:
//! saving, reading a record, exporting on a worker) and the terminal that drives it
//! ([`terminal`]: raw mode, signals, the event loop).

mod export_job;
mod session;
mod terminal;

pub use session::{BACKGROUND_ANNOTATIONS_FROM, SAVE_RETRY, Session, StartError};
pub use terminal::run;
#[cfg(feature = "test-hooks")]
pub use terminal::{CRASH_KEY_ENV, HANG_KEY_ENV};
