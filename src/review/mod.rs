//! What the review UI works on, without a terminal: the records of a load in columns
//! ([`dataset`]), loaded in the background ([`loader`]), one record in full for the detail pane
//! ([`full_record`]), and the filter language ([`filter`]).

pub mod context;
pub mod dataset;
pub mod filter;
pub mod full_record;
pub mod links;
pub mod loader;
pub mod summary;
