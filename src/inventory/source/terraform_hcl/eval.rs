//! Terraform's expression language over known values: what a pull-request check can evaluate
//! without providers or credentials. A value that depends on something only `apply` knows is
//! `V::Unknown`, carrying why, and stays unknown through every operation and function.

use std::collections::BTreeMap;

use hcl::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::template::{Directive, Element, Template};
use serde_json::{Map, Value};

/// A value: known, or unknown with why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    Known(Value),
    Unknown(String),
}

impl V {
    pub fn unknown(why: impl Into<String>) -> V {
        V::Unknown(why.into())
    }
}

/// What names resolve to while evaluating: `var.*`, `local.*`, resources, `each`, `count`, ...
pub(crate) trait Resolver {
    /// The value of a traversal root and its leading attribute names (`var.x`, `aws_x.y`,
    /// `module.m.out`), given the operators after the root; returns the value and how many of
    /// the operators it consumed.
    fn resolve(&self, root: &str, operators: &[TraversalOperator], scope: &Scope) -> (V, usize);
}

/// Variables of `for` expressions and template `for` directives, innermost last.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub names: Vec<(String, Value)>,
    pub depth: usize,
}

impl Scope {
    fn with(&self, bindings: Vec<(String, Value)>) -> Scope {
        let mut names = self.names.clone();
        names.extend(bindings);
        Scope { names, depth: self.depth + 1 }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.names.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

const MAX_DEPTH: usize = 128;
/// Elements a collection built by evaluation may hold (`range`, `for`).
const MAX_ELEMENTS: usize = 100_000;

/// Evaluation steps one configuration may take: nested `for` expressions over large ranges
/// would otherwise build billions of values.
pub(crate) const BUDGET: u64 = 10_000_000;

thread_local! {
    static STEPS_LEFT: std::cell::Cell<u64> = const { std::cell::Cell::new(BUDGET) };
}

/// Gives the evaluation of one configuration its budget of steps.
pub(crate) fn reset_budget() {
    STEPS_LEFT.with(|left| left.set(BUDGET));
}

fn spend() -> bool {
    STEPS_LEFT.with(|left| match left.get() {
        0 => false,
        n => {
            left.set(n - 1);
            true
        }
    })
}

pub(crate) fn eval(e: &Expression, r: &dyn Resolver, scope: &Scope) -> V {
    if scope.depth > MAX_DEPTH {
        return V::unknown("expressions nested too deeply");
    }
    if !spend() {
        return V::unknown("the configuration takes more than 10 million evaluation steps: the rest is not evaluated");
    }
    let deeper = Scope { names: scope.names.clone(), depth: scope.depth + 1 };
    match e {
        Expression::Null => V::Known(Value::Null),
        Expression::Bool(b) => V::Known(Value::Bool(*b)),
        Expression::Number(n) => V::Known(number_value(n)),
        Expression::String(s) => V::Known(Value::String(s.clone())),
        Expression::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match eval(item, r, &deeper) {
                    V::Known(v) => out.push(v),
                    u @ V::Unknown(_) => return u,
                }
            }
            V::Known(Value::Array(out))
        }
        Expression::Object(object) => {
            let mut out = Map::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Identifier(id) => id.to_string(),
                    ObjectKey::Expression(k) => match eval(k, r, &deeper) {
                        V::Known(v) => match text(&v) {
                            Some(t) => t,
                            None => return V::unknown(format!("an object key is {v}, not a string")),
                        },
                        u @ V::Unknown(_) => return u,
                    },
                    _ => return V::unknown("an object key fsx-guard does not evaluate"),
                };
                match eval(value, r, &deeper) {
                    V::Known(v) => {
                        out.insert(key, v);
                    }
                    u @ V::Unknown(_) => return u,
                }
            }
            V::Known(Value::Object(out))
        }
        Expression::TemplateExpr(t) => match Template::from_expr(t) {
            Ok(template) => template_value(&template, r, &deeper),
            Err(e) => V::unknown(format!("a template that does not parse: {e}")),
        },
        Expression::Variable(v) => match scope.get(v.as_str()) {
            Some(value) => V::Known(value.clone()),
            None => r.resolve(v.as_str(), &[], scope).0,
        },
        Expression::Traversal(t) => {
            let (base, consumed) = match &t.expr {
                Expression::Variable(v) => match scope.get(v.as_str()) {
                    Some(value) => (V::Known(value.clone()), 0),
                    None => r.resolve(v.as_str(), &t.operators, scope),
                },
                other => (eval(other, r, &deeper), 0),
            };
            apply(base, t.operators.get(consumed..).unwrap_or_default(), r, &deeper)
        }
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            if !call.name.namespace.is_empty() {
                // `provider::aws::arn_parse(...)`: provider-defined functions run in providers.
                return V::unknown(format!("provider function `{name}` is not evaluated by fsx-guard before apply"));
            }
            // `try` and `can` look at errors, so they evaluate lazily.
            if name == "try" {
                for arg in &call.args {
                    if let V::Known(v) = eval(arg, r, &deeper) {
                        return V::Known(v);
                    }
                }
                return V::unknown("no argument of `try` is known before apply");
            }
            if name == "can" {
                return match call.args.first().map(|a| eval(a, r, &deeper)) {
                    Some(V::Known(_)) => V::Known(Value::Bool(true)),
                    _ => V::unknown("`can` of a value not known before apply"),
                };
            }
            let mut args = Vec::with_capacity(call.args.len());
            for arg in &call.args {
                match eval(arg, r, &deeper) {
                    V::Known(v) => args.push(v),
                    u @ V::Unknown(_) => return u,
                }
            }
            if call.expand_final {
                match args.pop() {
                    Some(Value::Array(rest)) => args.extend(rest),
                    _ => return V::unknown(format!("`{name}(...)`: the expanded argument is not a list")),
                }
            }
            match super::functions::call(name, args) {
                Ok(v) => V::Known(v),
                Err(why) => V::Unknown(why),
            }
        }
        Expression::Parenthesis(inner) => eval(inner, r, &deeper),
        Expression::Conditional(c) => match eval(&c.cond_expr, r, &deeper) {
            V::Known(Value::Bool(true)) => eval(&c.true_expr, r, &deeper),
            V::Known(Value::Bool(false)) => eval(&c.false_expr, r, &deeper),
            V::Known(other) => V::unknown(format!("a condition is {other}, not a boolean")),
            u @ V::Unknown(_) => u,
        },
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => match (u.operator, eval(&u.expr, r, &deeper)) {
                (_, u @ V::Unknown(_)) => u,
                (UnaryOperator::Not, V::Known(Value::Bool(b))) => V::Known(Value::Bool(!b)),
                (UnaryOperator::Neg, V::Known(v)) => match number(&v) {
                    Some(n) => V::Known(num(-n)),
                    None => V::unknown(format!("`-` of {v}")),
                },
                (_, V::Known(v)) => V::unknown(format!("`!` of {v}")),
            },
            hcl::expr::Operation::Binary(b) => {
                binary(b.operator, eval(&b.lhs_expr, r, &deeper), || eval(&b.rhs_expr, r, &deeper))
            }
        },
        Expression::ForExpr(f) => {
            let collection = match eval(&f.collection_expr, r, &deeper) {
                V::Known(v) => v,
                u @ V::Unknown(_) => return u,
            };
            let pairs = entries(&collection);
            let Some(pairs) = pairs else { return V::unknown(format!("`for` over {collection}")) };
            let mut list = Vec::new();
            let mut map: Map<String, Value> = Map::new();
            let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for (key, value) in pairs {
                let mut bindings = vec![(f.value_var.to_string(), value)];
                if let Some(k) = &f.key_var {
                    bindings.insert(0, (k.to_string(), key));
                }
                let inner = deeper.with(bindings);
                if let Some(cond) = &f.cond_expr {
                    match eval(cond, r, &inner) {
                        V::Known(Value::Bool(true)) => {}
                        V::Known(Value::Bool(false)) => continue,
                        V::Known(other) => return V::unknown(format!("a `for` condition is {other}")),
                        u @ V::Unknown(_) => return u,
                    }
                }
                let value = match eval(&f.value_expr, r, &inner) {
                    V::Known(v) => v,
                    u @ V::Unknown(_) => return u,
                };
                match &f.key_expr {
                    None => list.push(value),
                    Some(key_expr) => {
                        let key = match eval(key_expr, r, &inner) {
                            V::Known(k) => match text(&k) {
                                Some(t) => t,
                                None => return V::unknown(format!("a `for` key is {k}")),
                            },
                            u @ V::Unknown(_) => return u,
                        };
                        if f.grouping {
                            groups.entry(key).or_default().push(value);
                        } else if map.insert(key.clone(), value).is_some() {
                            return V::unknown(format!("the `for` expression makes key `{key}` twice"));
                        }
                    }
                }
                if list.len() + map.len() > MAX_ELEMENTS {
                    return V::unknown("a `for` expression makes too many elements");
                }
            }
            if f.key_expr.is_none() {
                V::Known(Value::Array(list))
            } else if f.grouping {
                V::Known(Value::Object(groups.into_iter().map(|(k, v)| (k, Value::Array(v))).collect()))
            } else {
                V::Known(Value::Object(map))
            }
        }
        _ => V::unknown("an expression fsx-guard does not evaluate"),
    }
}

fn template_value(template: &Template, r: &dyn Resolver, scope: &Scope) -> V {
    // A template that is a single interpolation keeps the value's type (`"${var.n}"` is a number).
    if let [Element::Interpolation(one)] = template.elements() {
        return eval(&one.expr, r, scope);
    }
    let mut out = String::new();
    for element in template.elements() {
        match element {
            Element::Literal(text) => out.push_str(text),
            Element::Interpolation(i) => match eval(&i.expr, r, scope) {
                V::Known(v) => match text(&v) {
                    Some(t) => out.push_str(&t),
                    None => return V::unknown(format!("interpolating {v} into a string")),
                },
                u @ V::Unknown(_) => return u,
            },
            Element::Directive(d) => match d.as_ref() {
                Directive::If(i) => match eval(&i.cond_expr, r, scope) {
                    V::Known(Value::Bool(true)) => match template_value(&i.true_template, r, scope) {
                        V::Known(v) => out.push_str(&text(&v).unwrap_or_default()),
                        u @ V::Unknown(_) => return u,
                    },
                    V::Known(Value::Bool(false)) => {
                        if let Some(f) = &i.false_template {
                            match template_value(f, r, scope) {
                                V::Known(v) => out.push_str(&text(&v).unwrap_or_default()),
                                u @ V::Unknown(_) => return u,
                            }
                        }
                    }
                    V::Known(other) => return V::unknown(format!("a template `if` on {other}")),
                    u @ V::Unknown(_) => return u,
                },
                Directive::For(f) => {
                    let collection = match eval(&f.collection_expr, r, scope) {
                        V::Known(v) => v,
                        u @ V::Unknown(_) => return u,
                    };
                    for (key, value) in entries(&collection).unwrap_or_default() {
                        let mut bindings = vec![(f.value_var.to_string(), value)];
                        if let Some(k) = &f.key_var {
                            bindings.insert(0, (k.to_string(), key));
                        }
                        match template_value(&f.template, r, &scope.with(bindings)) {
                            V::Known(v) => out.push_str(&text(&v).unwrap_or_default()),
                            u @ V::Unknown(_) => return u,
                        }
                    }
                }
            },
        }
    }
    V::Known(Value::String(out))
}

/// Applies traversal operators to a value.
pub(crate) fn apply(mut value: V, operators: &[TraversalOperator], r: &dyn Resolver, scope: &Scope) -> V {
    let mut i = 0;
    while let Some(op) = operators.get(i) {
        let current = match value {
            V::Known(v) => v,
            u @ V::Unknown(_) => return u,
        };
        value = match op {
            TraversalOperator::GetAttr(name) => match current.get(name.as_str()) {
                Some(v) => V::Known(v.clone()),
                None => V::unknown(format!("no attribute `{}` in {}", name.as_str(), short(&current))),
            },
            TraversalOperator::Index(index) => match eval(index, r, scope) {
                V::Known(k) => index_value(&current, &k),
                u @ V::Unknown(_) => u,
            },
            TraversalOperator::LegacyIndex(n) => index_value(&current, &Value::from(*n)),
            TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                let rest = operators.get(i + 1..).unwrap_or_default();
                let items = match current {
                    Value::Array(items) => items,
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                let mut out = Vec::new();
                for item in items {
                    match apply(V::Known(item), rest, r, scope) {
                        V::Known(v) => out.push(v),
                        u @ V::Unknown(_) => return u,
                    }
                }
                return V::Known(Value::Array(out));
            }
        };
        i += 1;
    }
    value
}

fn index_value(current: &Value, key: &Value) -> V {
    match (current, key) {
        (Value::Array(items), k) => match number(k).filter(|n| *n >= 0.0 && n.fract() == 0.0) {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked whole, non-negative")]
            Some(n) => items
                .get(n as usize)
                .cloned()
                .map_or_else(|| V::unknown(format!("index {n} is past the end")), V::Known),
            None => V::unknown(format!("a list indexed by {k}")),
        },
        (Value::Object(map), k) => match text(k).and_then(|k| map.get(&k).cloned()) {
            Some(v) => V::Known(v),
            None => V::unknown(format!("no key {k}")),
        },
        (other, _) => V::unknown(format!("indexing {}", short(other))),
    }
}

fn binary(op: BinaryOperator, lhs: V, rhs: impl FnOnce() -> V) -> V {
    let lhs = match lhs {
        V::Known(v) => v,
        u @ V::Unknown(_) => return u,
    };
    // `&&` and `||` short-circuit on a known left side.
    match (op, &lhs) {
        (BinaryOperator::And, Value::Bool(false)) => return V::Known(Value::Bool(false)),
        (BinaryOperator::Or, Value::Bool(true)) => return V::Known(Value::Bool(true)),
        _ => {}
    }
    let rhs = match rhs() {
        V::Known(v) => v,
        u @ V::Unknown(_) => return u,
    };
    let numbers = || Some((number(&lhs)?, number(&rhs)?));
    let result = match op {
        BinaryOperator::Eq => Some(Value::Bool(equal(&lhs, &rhs))),
        BinaryOperator::NotEq => Some(Value::Bool(!equal(&lhs, &rhs))),
        BinaryOperator::And | BinaryOperator::Or => match (&lhs, &rhs) {
            (Value::Bool(_), Value::Bool(b)) => Some(Value::Bool(*b)),
            _ => None,
        },
        BinaryOperator::Less => numbers().map(|(a, b)| Value::Bool(a < b)),
        BinaryOperator::LessEq => numbers().map(|(a, b)| Value::Bool(a <= b)),
        BinaryOperator::Greater => numbers().map(|(a, b)| Value::Bool(a > b)),
        BinaryOperator::GreaterEq => numbers().map(|(a, b)| Value::Bool(a >= b)),
        BinaryOperator::Plus => numbers().map(|(a, b)| num(a + b)),
        BinaryOperator::Minus => numbers().map(|(a, b)| num(a - b)),
        BinaryOperator::Mul => numbers().map(|(a, b)| num(a * b)),
        BinaryOperator::Div => numbers().filter(|(_, b)| *b != 0.0).map(|(a, b)| num(a / b)),
        BinaryOperator::Mod => numbers().filter(|(_, b)| *b != 0.0).map(|(a, b)| num(a % b)),
    };
    result.map_or_else(|| V::unknown(format!("`{lhs} {op:?} {rhs}` is not a valid operation")), V::Known)
}

/// Terraform compares numbers by value and strings as written.
fn equal(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) if matches!(a, Value::Number(_)) && matches!(b, Value::Number(_)) => x == y,
        _ => a == b,
    }
}

/// (key, value) pairs of a collection: list index or map key, as `for` sees them.
pub(crate) fn entries(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v {
        Value::Array(items) => Some(items.iter().enumerate().map(|(i, x)| (Value::from(i), x.clone())).collect()),
        Value::Object(map) => Some(map.iter().map(|(k, x)| (Value::String(k.clone()), x.clone())).collect()),
        _ => None,
    }
}

fn number_value(n: &hcl::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
    }
}

/// A number as Terraform converts it: numbers, and strings that spell one.
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A whole number as an integer JSON value, else a float.
pub(crate) fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[expect(clippy::cast_possible_truncation, reason = "whole and within i64")]
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// A primitive as Terraform's string conversion writes it.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// The references of an expression, as Terraform's plan lists them: `var.x`, `local.y`,
/// `aws_x.y.attr` and `aws_x.y`, `data.t.n.attr`, `module.m.out`.
pub(crate) fn references(e: &Expression, out: &mut Vec<String>) {
    let push = |out: &mut Vec<String>, s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    match e {
        Expression::Variable(v) => push(out, v.to_string()),
        Expression::Traversal(t) => {
            if let Expression::Variable(root) = &t.expr {
                let root = root.to_string();
                let attrs: Vec<String> = t
                    .operators
                    .iter()
                    .map_while(|op| match op {
                        TraversalOperator::GetAttr(a) => Some(format!(".{}", a.as_str())),
                        TraversalOperator::Index(Expression::Number(n)) => Some(format!("[{n}]")),
                        TraversalOperator::Index(Expression::String(s)) => Some(format!("[{s:?}]")),
                        TraversalOperator::LegacyIndex(n) => Some(format!("[{n}]")),
                        _ => None,
                    })
                    .collect();
                let take = |n: usize| format!("{root}{}", attrs.iter().take(n).cloned().collect::<String>());
                match root.as_str() {
                    "data" => {
                        push(out, take(3));
                        push(out, take(2));
                    }
                    "module" => push(out, take(2)),
                    "var" | "local" | "each" | "count" | "path" | "terraform" | "self" => push(out, take(1)),
                    _ => {
                        // A resource, with its instance key when written.
                        let keyed = attrs.get(1).is_some_and(|a| a.starts_with('['));
                        let n = if keyed { 2 } else { 1 };
                        push(out, take(n + 1));
                        push(out, take(n));
                    }
                }
            } else {
                references(&t.expr, out);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op {
                    references(i, out);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|i| references(i, out)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let ObjectKey::Expression(k) = k {
                    references(k, out);
                }
                references(v, out);
            }
        }
        Expression::TemplateExpr(t) => {
            if let Ok(template) = Template::from_expr(t) {
                template_references(&template, out);
            }
        }
        Expression::FuncCall(c) => c.args.iter().for_each(|a| references(a, out)),
        Expression::Parenthesis(p) => references(p, out),
        Expression::Conditional(c) => {
            references(&c.cond_expr, out);
            references(&c.true_expr, out);
            references(&c.false_expr, out);
        }
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => references(&u.expr, out),
            hcl::expr::Operation::Binary(b) => {
                references(&b.lhs_expr, out);
                references(&b.rhs_expr, out);
            }
        },
        Expression::ForExpr(f) => {
            references(&f.collection_expr, out);
            references(&f.value_expr, out);
        }
        _ => {}
    }
}

fn template_references(template: &Template, out: &mut Vec<String>) {
    for element in template.elements() {
        match element {
            Element::Interpolation(i) => references(&i.expr, out),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(i) => {
                    references(&i.cond_expr, out);
                    template_references(&i.true_template, out);
                    if let Some(f) = &i.false_template {
                        template_references(f, out);
                    }
                }
                Directive::For(f) => {
                    references(&f.collection_expr, out);
                    template_references(&f.template, out);
                }
            },
            Element::Literal(_) => {}
        }
    }
}
