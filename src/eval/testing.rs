//! Evaluation stage, rule-file tests (`meso test`).
