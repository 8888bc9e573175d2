mod costs_cli;
mod golden_cases;
