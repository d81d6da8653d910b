//! The time, read by the session and handed to the app: `update` never reads the clock, so a
//! test can set the time it sees.

/// The time as the app uses it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    /// UTC, RFC 3339 to the second (annotations' times).
    pub utc: String,
    /// Local time of day, `HH:MM:SS` (when the last save happened).
    pub local_time: String,
    /// Local date and time for file names, `YYYYMMDD-HHMMSS`.
    pub local_stamp: String,
}

impl Clock {
    /// Now.
    pub fn now() -> Clock {
        let local = chrono::Local::now();
        Clock {
            utc: crate::store::now_rfc3339(),
            local_time: local.format("%H:%M:%S").to_string(),
            local_stamp: local.format("%Y%m%d-%H%M%S").to_string(),
        }
    }
}
