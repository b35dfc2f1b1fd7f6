//! Placeholder replaced by the scenario reader.
/// A scenario error.
#[derive(Debug)]
pub struct ScenarioError;
