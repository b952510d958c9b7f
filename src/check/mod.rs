//! Check stage: syntax trees → resolved, type-checked `ir::Program`, with every
//! error and warning found.
