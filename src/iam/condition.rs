//! Condition operators, evaluated three-valued over request contexts whose keys are known,
//! known to be absent, or unknown (IAM User Guide: "IAM JSON policy elements: Condition
//! operators", "Condition keys with multiple values", "Policy variables").

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::pattern::Pattern;
use crate::inventory::Timestamp;

/// Three-valued truth: what IAM would decide, when it can be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    /// Depends on the value of this condition key (or on this unsupported construct).
    Unknown(String),
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    /// Kleene AND: false wins, then unknown.
    pub fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::False => Tri::False,
            Tri::True => other(),
            Tri::Unknown(why) => match other() {
                Tri::False => Tri::False,
                _ => Tri::Unknown(why),
            },
        }
    }

    /// Kleene OR: true wins, then unknown.
    pub fn or(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::True => Tri::True,
            Tri::False => other(),
            Tri::Unknown(why) => match other() {
                Tri::True => Tri::True,
                _ => Tri::Unknown(why),
            },
        }
    }

    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            unknown => unknown,
        }
    }
}

/// What a request says about one condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    /// Present, with these values (one for single-valued keys).
    Known(Vec<String>),
    /// The request does not carry the key (a tag the resource lacks, `aws:username` for a role).
    Absent,
    /// fsx-guard cannot know (`aws:SourceIp`, `aws:MultiFactorAuthPresent`, ...).
    Unknown,
}

/// The keys of one request.
pub trait Context {
    /// `key` as written in the policy; implementations compare case-insensitively.
    fn value(&self, key: &str) -> KeyValue;
}

/// A request context from a map of lower-cased keys, for tests and simple uses.
impl Context for BTreeMap<String, KeyValue> {
    fn value(&self, key: &str) -> KeyValue {
        self.get(&key.to_ascii_lowercase()).cloned().unwrap_or(KeyValue::Unknown)
    }
}

/// Substitutes policy variables in `text` (`${aws:username}`, `${key, 'default'}`, `${*}`,
/// `${?}`, `${$}`). `Ok(None)`: a variable's key is absent and has no default, so the text
/// cannot match anything. `Err(key)`: a variable's key is unknown.
pub fn substitute(text: &str, context: &dyn Context) -> Result<Option<String>, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or(""));
            return Ok(Some(out));
        };
        let inner = after.get(..end).unwrap_or("").trim();
        rest = after.get(end + 1..).unwrap_or("");
        match inner {
            "*" => out.push('*'),
            "?" => out.push('?'),
            "$" => out.push('$'),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((key, default)) => {
                        let default = default.trim();
                        let default = default.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(default);
                        (key.trim(), Some(default))
                    }
                    None => (inner, None),
                };
                match context.value(key) {
                    KeyValue::Known(values) => match values.first() {
                        Some(value) => out.push_str(value),
                        None => return Ok(None),
                    },
                    KeyValue::Absent => match default {
                        Some(default) => out.push_str(default),
                        None => return Ok(None),
                    },
                    KeyValue::Unknown => return Err(key.to_string()),
                }
            }
        }
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// A condition operator without its qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Relation),
    Date(Relation),
    Bool,
    BinaryEquals,
    IpAddress,
    ArnLike,
}

/// How a request value must relate to a policy value (Numeric and Date operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

impl Relation {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Relation::Equals => request == policy,
            Relation::LessThan => request < policy,
            Relation::LessThanEquals => request <= policy,
            Relation::GreaterThan => request > policy,
            Relation::GreaterThanEquals => request >= policy,
        }
    }
}

/// A parsed operator: `[ForAnyValue:|ForAllValues:]Base[IfExists]`, possibly negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    base: Base,
    negated: bool,
    if_exists: bool,
    set: Option<bool>, // Some(true) = ForAllValues, Some(false) = ForAnyValue
}

fn parse_operator(name: &str) -> Option<Result<Operator, ()>> {
    let (set, rest) = if let Some(rest) = strip_prefix_ci(name, "ForAllValues:") {
        (Some(true), rest)
    } else if let Some(rest) = strip_prefix_ci(name, "ForAnyValue:") {
        (Some(false), rest)
    } else {
        (None, name)
    };
    let (rest, if_exists) = match rest.strip_suffix("IfExists") {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    if rest == "Null" {
        return Some(Err(()));
    }
    let (base, negated) = match rest {
        "StringEquals" => (Base::StringEquals, false),
        "StringNotEquals" => (Base::StringEquals, true),
        "StringEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, true),
        "StringLike" => (Base::StringLike, false),
        "StringNotLike" => (Base::StringLike, true),
        "NumericEquals" => (Base::Numeric(Relation::Equals), false),
        "NumericNotEquals" => (Base::Numeric(Relation::Equals), true),
        "NumericLessThan" => (Base::Numeric(Relation::LessThan), false),
        "NumericLessThanEquals" => (Base::Numeric(Relation::LessThanEquals), false),
        "NumericGreaterThan" => (Base::Numeric(Relation::GreaterThan), false),
        "NumericGreaterThanEquals" => (Base::Numeric(Relation::GreaterThanEquals), false),
        "DateEquals" => (Base::Date(Relation::Equals), false),
        "DateNotEquals" => (Base::Date(Relation::Equals), true),
        "DateLessThan" => (Base::Date(Relation::LessThan), false),
        "DateLessThanEquals" => (Base::Date(Relation::LessThanEquals), false),
        "DateGreaterThan" => (Base::Date(Relation::GreaterThan), false),
        "DateGreaterThanEquals" => (Base::Date(Relation::GreaterThanEquals), false),
        "Bool" => (Base::Bool, false),
        "BinaryEquals" => (Base::BinaryEquals, false),
        "IpAddress" => (Base::IpAddress, false),
        "NotIpAddress" => (Base::IpAddress, true),
        "ArnEquals" | "ArnLike" => (Base::ArnLike, false),
        "ArnNotEquals" | "ArnNotLike" => (Base::ArnLike, true),
        _ => return None,
    };
    Some(Ok(Operator { base, negated, if_exists, set }))
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn date(text: &str) -> Option<Timestamp> {
    Timestamp::parse_rfc3339(text)
        .or_else(|| {
            time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
                .ok()
                .map(|d| Timestamp(d.midnight().assume_utc().unix_timestamp() * 1000))
        })
        .or_else(|| text.trim().parse::<i64>().ok().and_then(|s| s.checked_mul(1000)).map(Timestamp))
}

/// Whether `address` is inside `cidr` (or equal to a plain address).
fn in_cidr(address: &str, cidr: &str) -> bool {
    let Ok(address) = address.trim().parse::<IpAddr>() else { return false };
    let (network, bits) = match cidr.trim().split_once('/') {
        Some((network, bits)) => (network, bits.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let Ok(network) = network.parse::<IpAddr>() else { return false };
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// The positive base comparison of one request value with one policy value.
fn compare(base: Base, request: &str, policy: &str) -> bool {
    match base {
        Base::StringEquals | Base::BinaryEquals => request == policy,
        Base::StringEqualsIgnoreCase => request.to_lowercase() == policy.to_lowercase(),
        Base::StringLike => Pattern::string(policy).matches(request),
        Base::ArnLike => Pattern::resource(policy).matches(request),
        Base::Bool => request.eq_ignore_ascii_case(policy),
        Base::IpAddress => in_cidr(request, policy),
        // Values that do not parse as numbers or dates never match.
        Base::Numeric(relation) => number(request).zip(number(policy)).is_some_and(|(r, p)| relation.holds(r, p)),
        Base::Date(relation) => date(request).zip(date(policy)).is_some_and(|(r, p)| relation.holds(r, p)),
    }
}

/// One condition: operator, key, policy values (already parsed from the document).
/// `variables`: whether policy variables are substituted (documents with `Version` 2012-10-17).
pub fn evaluate(operator: &str, key: &str, values: &[String], context: &dyn Context, variables: bool) -> Tri {
    let request = context.value(key);
    let op = match parse_operator(operator) {
        None => return Tri::Unknown(format!("condition operator `{operator}`")),
        Some(Err(())) => {
            // Null: "true" asks for the key to be absent, "false" for it to be present.
            let want_absent = values.iter().any(|v| v.eq_ignore_ascii_case("true"));
            return match request {
                KeyValue::Unknown => Tri::Unknown(key.to_string()),
                KeyValue::Absent => Tri::from_bool(want_absent),
                KeyValue::Known(v) if v.is_empty() => Tri::from_bool(want_absent),
                KeyValue::Known(_) => Tri::from_bool(!want_absent),
            };
        }
        Some(Ok(op)) => op,
    };
    let request = match request {
        KeyValue::Unknown => return Tri::Unknown(key.to_string()),
        KeyValue::Known(v) if v.is_empty() => None,
        KeyValue::Known(v) => Some(v),
        KeyValue::Absent => None,
    };
    let Some(request) = request else {
        // AWS's missing-key rules.
        return Tri::from_bool(match op.set {
            Some(true) => true,
            Some(false) => false,
            None => op.if_exists || op.negated,
        });
    };
    // Policy values, with variables substituted where AWS substitutes them.
    let mut policy_values = Vec::with_capacity(values.len());
    for value in values {
        if variables {
            match substitute(value, context) {
                Ok(Some(v)) => policy_values.push(v),
                Ok(None) => {}
                Err(unknown) => return Tri::Unknown(unknown),
            }
        } else {
            policy_values.push(value.clone());
        }
    }
    let positive = |r: &str| policy_values.iter().any(|p| compare(op.base, r, p));
    let single = |r: &str| if op.negated { !positive(r) } else { positive(r) };
    Tri::from_bool(match op.set {
        Some(true) => request.iter().all(|r| single(r)),
        Some(false) => request.iter().any(|r| single(r)),
        None if op.negated => request.iter().all(|r| !positive(r)),
        None => request.iter().any(|r| positive(r)),
    })
}

/// A whole `Condition` block: every operator and every key must hold (values within one key
/// are ORed by the operators themselves).
pub fn evaluate_block(
    block: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    context: &dyn Context,
    variables: bool,
) -> Tri {
    let mut result = Tri::True;
    for (operator, keys) in block {
        for (key, values) in keys {
            result = result.and(|| evaluate(operator, key, values, context, variables));
            if result == Tri::False {
                return Tri::False;
            }
        }
    }
    result
}
