//! The perfbench report: one row per performance goal (G1–G7, G12), printed and written as JSON.

use serde::Serialize;

/// Whether a goal's ratio must stay at or above its target, or at or below it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    AtLeast,
    AtMost,
}

/// One measured goal: the project's figure, the denominator measured in the same run, and the ratio.
#[derive(Clone, Debug, Serialize)]
pub struct GoalResult {
    pub goal: String,
    pub value: f64,
    pub unit: String,
    pub denominator: String,
    pub denominator_value: f64,
    pub ratio: f64,
    pub target: f64,
    pub direction: Direction,
    pub pass: bool,
}

impl GoalResult {
    /// `value / denominator_value` compared with `target` in the given direction.
    pub fn new(
        goal: &str,
        value: f64,
        unit: &str,
        denominator: &str,
        denominator_value: f64,
        target: f64,
        direction: Direction,
    ) -> Self {
        let ratio = if denominator_value == 0.0 { f64::NAN } else { value / denominator_value };
        let pass = match direction {
            Direction::AtLeast => ratio >= target,
            Direction::AtMost => ratio <= target,
        };
        GoalResult {
            goal: goal.to_owned(),
            value,
            unit: unit.to_owned(),
            denominator: denominator.to_owned(),
            denominator_value,
            ratio,
            target,
            direction,
            pass,
        }
    }
}
