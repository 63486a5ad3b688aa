//! WIM reading and splitting (placeholder until the splitter lands).
