//! The fields alpr-triage understands, whatever an export called its columns.

/// A column alpr-triage understands, whatever the export called it. Columns bind to fields by
/// header name (see `ingest::schema`); anything else is kept as an unknown column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Flock's search ID (a UUID; repeats for the same search).
    FlockId,
    /// The searching officer's name (`Name`).
    Officer,
    /// The portal's user id (`userId`), usually redacted.
    UserId,
    /// The searching agency (`Org Name`).
    Agency,
    /// `Total Networks Searched` / `networkCount`.
    Networks,
    /// `Total Devices Searched` / `cameraCount`.
    Devices,
    /// `Time Frame`: two timestamps in one cell.
    TimeFrame,
    /// `Time_Frame_Start` (a researcher's split of Time Frame).
    TimeFrameStart,
    /// `Time_Frame_End`.
    TimeFrameEnd,
    /// `License Plate`.
    Plate,
    /// `Reason`: the officer's free text.
    Reason,
    /// `Case #`.
    CaseNumber,
    /// `Filters` (vehicle make, colour, …).
    Filters,
    /// `Search Time` / `searchDate` (a full timestamp) or the time half of a split pair.
    SearchTime,
    /// A separate date column (`Search Date` with a time-only `Search Time`), or the portal's
    /// `searchDate` timestamp.
    SearchDate,
    /// `Search Type` (lookup, search, convoy, …).
    SearchType,
    /// `Text Prompt` (2025 freeform searches).
    TextPrompt,
    /// `Moderation`.
    Moderation,
    /// The dropdown category (`offenseType` in portal files).
    OffenseType,
    /// A flag set by another tool before the file reached us (`Flag_Category`).
    PriorFlag,
}

impl Field {
    /// Every field, in the order used for output columns.
    pub const ALL: [Field; 20] = [
        Field::FlockId,
        Field::Agency,
        Field::Officer,
        Field::UserId,
        Field::SearchTime,
        Field::SearchDate,
        Field::Reason,
        Field::OffenseType,
        Field::CaseNumber,
        Field::Plate,
        Field::Networks,
        Field::Devices,
        Field::TimeFrame,
        Field::TimeFrameStart,
        Field::TimeFrameEnd,
        Field::Filters,
        Field::SearchType,
        Field::TextPrompt,
        Field::Moderation,
        Field::PriorFlag,
    ];

    /// Number of fields.
    pub const COUNT: usize = Field::ALL.len();

    /// Dense index for per-field arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The snake_case key used in JSON output and identity keys.
    pub fn key(self) -> &'static str {
        match self {
            Field::FlockId => "flock_id",
            Field::Officer => "officer",
            Field::UserId => "user_id",
            Field::Agency => "agency",
            Field::Networks => "networks_searched",
            Field::Devices => "devices_searched",
            Field::TimeFrame => "time_frame",
            Field::TimeFrameStart => "time_frame_start",
            Field::TimeFrameEnd => "time_frame_end",
            Field::Plate => "license_plate",
            Field::Reason => "reason",
            Field::CaseNumber => "case_number",
            Field::Filters => "filters",
            Field::SearchTime => "search_time",
            Field::SearchDate => "search_date",
            Field::SearchType => "search_type",
            Field::TextPrompt => "text_prompt",
            Field::Moderation => "moderation",
            Field::OffenseType => "offense_type",
            Field::PriorFlag => "prior_flag",
        }
    }

    /// The label shown to people (Flock's own column name where there is one).
    pub fn label(self) -> &'static str {
        match self {
            Field::FlockId => "ID",
            Field::Officer => "Name",
            Field::UserId => "User ID",
            Field::Agency => "Org Name",
            Field::Networks => "Total Networks Searched",
            Field::Devices => "Total Devices Searched",
            Field::TimeFrame => "Time Frame",
            Field::TimeFrameStart => "Time Frame Start",
            Field::TimeFrameEnd => "Time Frame End",
            Field::Plate => "License Plate",
            Field::Reason => "Reason",
            Field::CaseNumber => "Case #",
            Field::Filters => "Filters",
            Field::SearchTime => "Search Time",
            Field::SearchDate => "Search Date",
            Field::SearchType => "Search Type",
            Field::TextPrompt => "Text Prompt",
            Field::Moderation => "Moderation",
            Field::OffenseType => "Offense Type",
            Field::PriorFlag => "Prior Flag",
        }
    }

    /// Fields that name people or vehicles: masked by `--redact`.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            Field::Officer | Field::UserId | Field::Plate | Field::CaseNumber | Field::Filters
        )
    }
}
