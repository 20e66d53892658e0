//! IAM: the account authorization details and policy documents.
//!
//! Evaluation (`iam-permission`) builds on these types; the inventory loader already parses and
//! checks every document so that a broken one is reported where it came from.

pub mod condition;
pub mod decide;
pub mod document;
pub mod pattern;

pub use document::{Document, DocumentField, Statement};
