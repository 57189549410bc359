//! Browser tests of built packages (owned by the player work; see tests/browser/).
