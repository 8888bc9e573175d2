//! Faults during an import end it cleanly, say why, and lose or duplicate nothing.
