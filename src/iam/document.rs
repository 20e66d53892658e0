//! IAM policy documents as `get-account-authorization-details` returns them: JSON objects (the
//! AWS CLI's form) or URL-encoded JSON strings (the wire form).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A value that may be written as one item or as a list (`Action`, `Resource`, `Statement`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(item) => vec![item],
            OneOrMany::Many(items) => items,
        }
    }
}

/// A scalar condition value; IAM compares them as strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum ConditionScalar {
    Text(String),
    Bool(bool),
    Number(serde_json::Number),
}

impl ConditionScalar {
    fn into_string(self) -> String {
        match self {
            ConditionScalar::Text(text) => text,
            ConditionScalar::Bool(b) => b.to_string(),
            ConditionScalar::Number(n) => n.to_string(),
        }
    }
}

/// `"Allow"` or `"Deny"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawStatement {
    sid: Option<String>,
    effect: Effect,
    action: Option<OneOrMany<String>>,
    not_action: Option<OneOrMany<String>>,
    resource: Option<OneOrMany<String>>,
    not_resource: Option<OneOrMany<String>>,
    principal: Option<serde_json::Value>,
    not_principal: Option<serde_json::Value>,
    condition: Option<BTreeMap<String, BTreeMap<String, OneOrMany<ConditionScalar>>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDocument {
    version: Option<String>,
    statement: OneOrMany<RawStatement>,
}

/// Which of `Action`/`NotAction` (or `Resource`/`NotResource`) a statement uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    Listed(Vec<String>),
    NotListed(Vec<String>),
}

/// One statement of an identity-based policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Matcher,
    pub resources: Matcher,
    /// Operator → condition key → values.
    pub conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `Version`; policy variables are substituted only with `2012-10-17`.
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

/// A policy document as found in an inventory: parsed, or the reason it could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentField {
    Parsed(Document),
    Invalid(String),
}

impl DocumentField {
    pub fn problem(&self) -> Option<&str> {
        match self {
            DocumentField::Invalid(reason) => Some(reason),
            DocumentField::Parsed(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for DocumentField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(match value {
            serde_json::Value::String(encoded) => parse_encoded(&encoded),
            object @ serde_json::Value::Object(_) => parse_value(object),
            other => DocumentField::Invalid(format!(
                "a policy document is a JSON object or a URL-encoded string, not `{other}`"
            )),
        })
    }
}

/// Decodes a URL-encoded document (percent escapes only: IAM does not encode spaces as `+`).
pub fn parse_encoded(encoded: &str) -> DocumentField {
    let decoded = match percent_encoding::percent_decode_str(encoded).decode_utf8() {
        Ok(decoded) => decoded,
        Err(e) => return DocumentField::Invalid(format!("URL-decoding the document gives invalid UTF-8: {e}")),
    };
    match serde_json::from_str::<serde_json::Value>(&decoded) {
        Ok(value) => parse_value(value),
        Err(e) => DocumentField::Invalid(format!("the decoded document is not JSON: {e}")),
    }
}

/// Parses a policy document given as JSON.
pub fn parse_value(value: serde_json::Value) -> DocumentField {
    let raw: RawDocument = match serde_json::from_value(value) {
        Ok(raw) => raw,
        Err(e) => return DocumentField::Invalid(format!("not an IAM policy document: {e}")),
    };
    let mut statements = Vec::new();
    for (index, statement) in raw.statement.into_vec().into_iter().enumerate() {
        let at = |what: &str| format!("statement {index}: {what}");
        if statement.principal.is_some() || statement.not_principal.is_some() {
            return DocumentField::Invalid(at("an identity-based policy has no `Principal`"));
        }
        let actions = match (statement.action, statement.not_action) {
            (Some(a), None) => Matcher::Listed(a.into_vec()),
            (None, Some(a)) => Matcher::NotListed(a.into_vec()),
            _ => return DocumentField::Invalid(at("exactly one of `Action` and `NotAction` is required")),
        };
        let resources = match (statement.resource, statement.not_resource) {
            (Some(r), None) => Matcher::Listed(r.into_vec()),
            (None, Some(r)) => Matcher::NotListed(r.into_vec()),
            _ => return DocumentField::Invalid(at("exactly one of `Resource` and `NotResource` is required")),
        };
        let conditions = statement
            .condition
            .unwrap_or_default()
            .into_iter()
            .map(|(operator, keys)| {
                let keys = keys
                    .into_iter()
                    .map(|(key, values)| {
                        (key, values.into_vec().into_iter().map(ConditionScalar::into_string).collect())
                    })
                    .collect();
                (operator, keys)
            })
            .collect();
        statements.push(Statement { sid: statement.sid, effect: statement.effect, actions, resources, conditions });
    }
    DocumentField::Parsed(Document { version: raw.version, statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECT: &str = r#"{"Version":"2012-10-17","Statement":{"Sid":"Copy","Effect":"Allow","Action":"fsx:CopyBackup","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true}}}}"#;

    #[test]
    fn object_and_encoded_forms_agree() {
        let object: DocumentField = serde_json::from_str(OBJECT).unwrap();
        let encoded = percent_encoding::utf8_percent_encode(OBJECT, percent_encoding::NON_ALPHANUMERIC).to_string();
        let wire: DocumentField = serde_json::from_value(serde_json::Value::String(encoded)).unwrap();
        assert_eq!(object, wire);
        let DocumentField::Parsed(doc) = object else { panic!("not parsed") };
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].conditions["Bool"]["aws:SecureTransport"], vec!["true"]);
    }

    #[test]
    fn plus_is_not_a_space() {
        let doc = parse_encoded(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22a+b%22%2C%22Resource%22%3A%22*%22%7D%5D%7D",
        );
        let DocumentField::Parsed(doc) = doc else { panic!("not parsed") };
        assert_eq!(doc.statements[0].actions, Matcher::Listed(vec!["a+b".into()]));
    }

    #[test]
    fn broken_documents_are_invalid_not_errors() {
        for text in ["%7B", "%FF%FE", "{}", "{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"] {
            assert!(parse_encoded(text).problem().is_some(), "{text}");
        }
    }
}
