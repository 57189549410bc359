//! Reports for co-funders, as pure functions: what a report asks for
//! ([`query`]), the London calendar ([`period`]), small-number suppression
//! ([`suppress`]), medians ([`median`]), the uptake and funding reports
//! ([`uptake`], [`funding`]) and CSV output ([`csv_out`]). The store reads
//! rollups into [`uptake::Fact`]s; the HTTP layer renders what these
//! functions return.

pub mod csv_out;
pub mod funding;
pub mod median;
pub mod period;
pub mod query;
pub mod suppress;
pub mod table;
pub mod uptake;

#[cfg(test)]
mod tests;
