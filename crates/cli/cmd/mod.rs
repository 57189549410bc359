//! One module per subcommand.

pub mod build;
pub mod check;
pub mod index;
pub mod publish;
