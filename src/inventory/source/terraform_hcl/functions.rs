//! Terraform's built-in functions that configuration commonly uses, on known values. Any other
//! function is refused (its result is unknown, and `error` where it decides a verdict).

use serde_json::{Map, Value};

use super::eval::{num, number, text};

/// The functions evaluated, for documentation and messages.
pub(crate) const EVALUATED: &[&str] = &[
    "abs",
    "can",
    "ceil",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "flatten",
    "floor",
    "format",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "one",
    "range",
    "replace",
    "reverse",
    "setunion",
    "slice",
    "sort",
    "split",
    "startswith",
    "substr",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "values",
    "zipmap",
];

fn list(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(items) => Ok(items.clone()),
        other => Err(format!("{other} is not a list")),
    }
}

fn string(v: &Value) -> Result<String, String> {
    text(v).ok_or_else(|| format!("{v} is not a string"))
}

fn int(v: &Value) -> Result<i64, String> {
    match number(v) {
        #[expect(clippy::cast_possible_truncation, reason = "checked whole")]
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(n as i64),
        _ => Err(format!("{v} is not a whole number")),
    }
}

fn arg(args: &[Value], i: usize) -> Result<&Value, String> {
    args.get(i).ok_or_else(|| format!("argument {} is missing", i + 1))
}

/// Calls `name` on known arguments.
pub(crate) fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let result = call_inner(name, &args);
    result.map_err(|why| if why.starts_with("function `") { why } else { format!("`{name}(...)`: {why}") })
}

fn call_inner(name: &str, args: &[Value]) -> Result<Value, String> {
    let a0 = || arg(args, 0);
    Ok(match name {
        "abs" => num(number(a0()?).ok_or("not a number")?.abs()),
        "ceil" => num(number(a0()?).ok_or("not a number")?.ceil()),
        "floor" => num(number(a0()?).ok_or("not a number")?.floor()),
        "max" | "min" => {
            let ns: Vec<f64> =
                args.iter().map(|a| number(a).ok_or(format!("{a} is not a number"))).collect::<Result<_, _>>()?;
            let pick = if name == "max" {
                ns.iter().copied().fold(f64::MIN, f64::max)
            } else {
                ns.iter().copied().fold(f64::MAX, f64::min)
            };
            if ns.is_empty() {
                return Err("needs at least one number".into());
            }
            num(pick)
        }
        "coalesce" => args
            .iter()
            .find(|a| !a.is_null() && a.as_str() != Some(""))
            .cloned()
            .ok_or("every argument is null or empty")?,
        "coalescelist" => args
            .iter()
            .find(|a| a.as_array().is_some_and(|l| !l.is_empty()))
            .cloned()
            .ok_or("every argument is an empty list")?,
        "compact" => {
            Value::Array(list(a0()?)?.into_iter().filter(|v| !v.is_null() && v.as_str() != Some("")).collect())
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(list(a)?);
            }
            Value::Array(out)
        }
        "contains" => Value::Bool(list(a0()?)?.contains(arg(args, 1)?)),
        "distinct" | "toset" => {
            let mut out: Vec<Value> = Vec::new();
            for v in list(a0()?)? {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Value::Array(out)
        }
        "setunion" => {
            let mut out: Vec<Value> = Vec::new();
            for a in args {
                for v in list(a)? {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            Value::Array(out)
        }
        "element" => {
            let items = list(a0()?)?;
            let i = int(arg(args, 1)?)?;
            let len = i64::try_from(items.len()).map_err(|e| e.to_string())?;
            if len == 0 {
                return Err("an empty list".into());
            }
            let at = usize::try_from(i.rem_euclid(len)).map_err(|e| e.to_string())?;
            items.get(at).cloned().ok_or("index out of range")?
        }
        "flatten" => {
            fn flat(v: Value, out: &mut Vec<Value>, depth: usize) {
                match v {
                    Value::Array(items) if depth < 64 => items.into_iter().for_each(|i| flat(i, out, depth + 1)),
                    other => out.push(other),
                }
            }
            let mut out = Vec::new();
            flat(a0()?.clone(), &mut out, 0);
            Value::Array(out)
        }
        "format" => format(&string(a0()?)?, args.get(1..).unwrap_or_default())?,
        "join" => {
            let sep = string(a0()?)?;
            let mut parts = Vec::new();
            for a in args.get(1..).unwrap_or_default() {
                for v in list(a)? {
                    parts.push(string(&v)?);
                }
            }
            Value::String(parts.join(&sep))
        }
        "split" => Value::Array(
            string(arg(args, 1)?)?.split(string(a0()?)?.as_str()).map(|s| Value::String(s.to_string())).collect(),
        ),
        "jsondecode" => serde_json::from_str(&string(a0()?)?).map_err(|e| e.to_string())?,
        "jsonencode" => Value::String(serde_json::to_string(a0()?).map_err(|e| e.to_string())?),
        "keys" => match a0()? {
            Value::Object(m) => Value::Array(m.keys().map(|k| Value::String(k.clone())).collect()),
            other => return Err(format!("{other} is not a map")),
        },
        "values" => match a0()? {
            Value::Object(m) => Value::Array(m.values().cloned().collect()),
            other => return Err(format!("{other} is not a map")),
        },
        "length" => Value::from(match a0()? {
            Value::Array(l) => l.len(),
            Value::Object(m) => m.len(),
            Value::String(s) => s.chars().count(),
            other => return Err(format!("length of {other}")),
        }),
        "lookup" => match (a0()?, arg(args, 1)) {
            (Value::Object(m), Ok(k)) => match m.get(&string(k)?) {
                Some(v) => v.clone(),
                None => args.get(2).cloned().ok_or("the key is missing and no default is given")?,
            },
            (other, _) => return Err(format!("{other} is not a map")),
        },
        "lower" => Value::String(string(a0()?)?.to_lowercase()),
        "upper" => Value::String(string(a0()?)?.to_uppercase()),
        "title" => Value::String(
            string(a0()?)?
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "merge" => {
            let mut out = Map::new();
            for a in args {
                match a {
                    Value::Object(m) => out.extend(m.clone()),
                    Value::Null => {}
                    other => return Err(format!("{other} is not a map")),
                }
            }
            Value::Object(out)
        }
        "one" => {
            let items = list(a0()?)?;
            match items.as_slice() {
                [] => Value::Null,
                [one] => one.clone(),
                _ => return Err("more than one element".into()),
            }
        }
        "range" => {
            let ns: Vec<f64> =
                args.iter().map(|a| number(a).ok_or(format!("{a} is not a number"))).collect::<Result<_, _>>()?;
            let (start, end, step) = match ns.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return Err("takes one to three numbers".into()),
            };
            if step == 0.0 {
                return Err("step 0".into());
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(num(x));
                x += step;
                if out.len() > 100_000 {
                    return Err("too many elements".into());
                }
            }
            Value::Array(out)
        }
        "replace" => {
            Value::String(string(a0()?)?.replace(string(arg(args, 1)?)?.as_str(), string(arg(args, 2)?)?.as_str()))
        }
        "reverse" => Value::Array(list(a0()?)?.into_iter().rev().collect()),
        "slice" => {
            let items = list(a0()?)?;
            let (from, to) = (
                usize::try_from(int(arg(args, 1)?)?).map_err(|e| e.to_string())?,
                usize::try_from(int(arg(args, 2)?)?).map_err(|e| e.to_string())?,
            );
            Value::Array(items.get(from..to).ok_or("indexes out of range")?.to_vec())
        }
        "sort" => {
            let mut items: Vec<String> = list(a0()?)?.iter().map(string).collect::<Result<_, _>>()?;
            items.sort();
            Value::Array(items.into_iter().map(Value::String).collect())
        }
        "startswith" => Value::Bool(string(a0()?)?.starts_with(string(arg(args, 1)?)?.as_str())),
        "endswith" => Value::Bool(string(a0()?)?.ends_with(string(arg(args, 1)?)?.as_str())),
        "substr" => {
            let s: Vec<char> = string(a0()?)?.chars().collect();
            let offset = usize::try_from(int(arg(args, 1)?)?).map_err(|e| e.to_string())?;
            let length = int(arg(args, 2)?)?;
            let end = if length < 0 {
                s.len()
            } else {
                (offset + usize::try_from(length).map_err(|e| e.to_string())?).min(s.len())
            };
            Value::String(s.get(offset.min(s.len())..end.max(offset.min(s.len()))).unwrap_or_default().iter().collect())
        }
        "tobool" => match a0()? {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            Value::Null => Value::Null,
            other => return Err(format!("{other} is not a boolean")),
        },
        "tonumber" => match a0()? {
            Value::Null => Value::Null,
            other => num(number(other).ok_or(format!("{other} is not a number"))?),
        },
        "tostring" => match a0()? {
            Value::Null => Value::Null,
            other => Value::String(string(other)?),
        },
        "tolist" => Value::Array(list(a0()?)?),
        "tomap" => match a0()? {
            Value::Object(m) => Value::Object(m.clone()),
            other => return Err(format!("{other} is not a map")),
        },
        "trim" => {
            let chars: Vec<char> = string(arg(args, 1)?)?.chars().collect();
            Value::String(string(a0()?)?.trim_matches(|c| chars.contains(&c)).to_string())
        }
        "trimspace" => Value::String(string(a0()?)?.trim().to_string()),
        "trimprefix" => {
            let s = string(a0()?)?;
            let p = string(arg(args, 1)?)?;
            Value::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string())
        }
        "trimsuffix" => {
            let s = string(a0()?)?;
            let p = string(arg(args, 1)?)?;
            Value::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string())
        }
        "zipmap" => {
            let keys = list(a0()?)?;
            let values = list(arg(args, 1)?)?;
            Value::Object(keys.iter().zip(values).map(|(k, v)| Ok((string(k)?, v))).collect::<Result<_, String>>()?)
        }
        other => {
            return Err(format!(
                "function `{other}` is not evaluated by fsx-guard before apply (it evaluates {})",
                EVALUATED.join(", ")
            ));
        }
    })
}

/// `format` with the verbs configuration uses: `%s`, `%d`, `%v`, `%%`, `%q`.
fn format(spec: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'v' | 'd') => out.push_str(&string(args.next().ok_or("too few arguments")?)?),
            Some('q') => out.push_str(&format!("{:?}", string(args.next().ok_or("too few arguments")?)?)),
            other => {
                return Err(format!("format verb `%{}` is not evaluated", other.map(String::from).unwrap_or_default()));
            }
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[rstest::rstest]
    #[case("concat", json!([[1], [2, 3]]), json!([1, 2, 3]))]
    #[case("merge", json!([{"a": 1}, {"b": 2, "a": 3}]), json!({"a": 3, "b": 2}))]
    #[case("lookup", json!([{"a": 1}, "b", 7]), json!(7))]
    #[case("format", json!(["%s-%d", "fs", 3]), json!("fs-3"))]
    #[case("join", json!(["-", ["a", "b"]]), json!("a-b"))]
    #[case("coalesce", json!([null, "", "x"]), json!("x"))]
    #[case("max", json!([3, 9, 1]), json!(9))]
    #[case("element", json!([["a", "b"], 3]), json!("b"))]
    #[case("tonumber", json!(["14"]), json!(14))]
    #[case("jsonencode", json!([{"a": [1]}]), json!("{\"a\":[1]}"))]
    #[case("range", json!([3]), json!([0, 1, 2]))]
    #[case("zipmap", json!([["a"], [1]]), json!({"a": 1}))]
    #[case("trimprefix", json!(["arn:x", "arn:"]), json!("x"))]
    fn functions(#[case] name: &str, #[case] args: Value, #[case] want: Value) {
        let args = args.as_array().cloned().unwrap();
        assert_eq!(call(name, args), Ok(want), "{name}");
    }

    #[test]
    fn unknown_functions_are_refused_by_name() {
        let why = call("timestamp", Vec::new()).unwrap_err();
        assert!(why.contains("function `timestamp` is not evaluated"), "{why}");
        assert!(call("cidrsubnet", vec![json!("10.0.0.0/16"), json!(8), json!(1)]).is_err());
    }
}
