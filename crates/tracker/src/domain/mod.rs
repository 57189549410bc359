//! Pure domain logic of the tracker: no HTTP, no SQL, no I/O. Everything
//! here is plain functions over plain data, tested without a database.

pub mod reports;
