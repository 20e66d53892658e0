//! IAM evaluation by table. Each row names the IAM User Guide section it comes from; the expected
//! outcome is what that section says AWS decides.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use fsx_guard::iam::condition::{self, KeyValue, Tri};
use fsx_guard::iam::decide::{Decision, IamIndex, Principal, PrincipalPolicies, RequestContext};
use fsx_guard::iam::pattern::Pattern;
use fsx_guard::inventory::iam::Iam;
use rstest::rstest;
use serde_json::{Value, json};

const BACKUP: &str = "arn:aws:fsx:us-east-1:111122223333:backup/backup-0123456789abcdef0";

fn ctx(pairs: &[(&str, KeyValue)]) -> BTreeMap<String, KeyValue> {
    pairs.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect()
}

fn known(v: &str) -> KeyValue {
    KeyValue::Known(vec![v.to_string()])
}

fn many(v: &[&str]) -> KeyValue {
    KeyValue::Known(v.iter().map(|s| s.to_string()).collect())
}

fn eval(op: &str, values: &[&str], key_value: KeyValue) -> Tri {
    let values: Vec<String> = values.iter().map(|s| s.to_string()).collect();
    condition::evaluate(op, "k", &values, &ctx(&[("k", key_value)]), true)
}

const T: Tri = Tri::True;
const F: Tri = Tri::False;

// "IAM JSON policy elements: Condition operators"
#[rstest]
// String condition operators
#[case::string_equals("StringEquals", &["prod"], known("prod"), T)]
#[case::string_equals_is_case_sensitive("StringEquals", &["Prod"], known("prod"), F)]
#[case::string_equals_any_of_values("StringEquals", &["dev", "prod"], known("prod"), T)]
#[case::string_not_equals("StringNotEquals", &["dev", "test"], known("prod"), T)]
#[case::string_not_equals_listed("StringNotEquals", &["dev", "prod"], known("prod"), F)]
#[case::string_equals_ignore_case("StringEqualsIgnoreCase", &["PROD"], known("prod"), T)]
#[case::string_not_equals_ignore_case("StringNotEqualsIgnoreCase", &["PROD"], known("prod"), F)]
#[case::string_like_star("StringLike", &["team-*"], known("team-storage"), T)]
#[case::string_like_question("StringLike", &["team-?"], known("team-ab"), F)]
#[case::string_not_like("StringNotLike", &["team-*"], known("ops"), T)]
// Numeric condition operators
#[case::numeric_less_than("NumericLessThan", &["10"], known("9"), T)]
#[case::numeric_less_than_equal_boundary("NumericLessThanEquals", &["10"], known("10"), T)]
#[case::numeric_greater_than("NumericGreaterThan", &["10"], known("10"), F)]
#[case::numeric_not_equals("NumericNotEquals", &["3"], known("4"), T)]
#[case::numeric_unparsable_is_false("NumericEquals", &["3"], known("three"), F)]
// Date condition operators
#[case::date_less_than("DateLessThan", &["2026-12-01T00:00:00Z"], known("2026-11-25T06:00:00Z"), T)]
#[case::date_greater_than_epoch("DateGreaterThan", &["1700000000"], known("2026-11-25T06:00:00Z"), T)]
#[case::date_not_equals("DateNotEquals", &["2026-11-25T06:00:00Z"], known("2026-11-25T06:00:00Z"), F)]
// Boolean condition operators
#[case::bool_true("Bool", &["true"], known("true"), T)]
#[case::bool_false("Bool", &["false"], known("true"), F)]
// Binary condition operators
#[case::binary_equals("BinaryEquals", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], known("QmluYXJ5VmFsdWVJbkJhc2U2NA=="), T)]
// IP address condition operators
#[case::ip_in_cidr("IpAddress", &["203.0.113.0/24"], known("203.0.113.7"), T)]
#[case::ip_outside_cidr("IpAddress", &["203.0.113.0/24"], known("198.51.100.7"), F)]
#[case::not_ip_address("NotIpAddress", &["203.0.113.0/24"], known("198.51.100.7"), T)]
#[case::ipv6_cidr("IpAddress", &["2001:db8::/32"], known("2001:db8:1::1"), T)]
// Amazon Resource Name (ARN) condition operators
#[case::arn_like("ArnLike", &["arn:aws:iam::111122223333:role/dr-*"], known("arn:aws:iam::111122223333:role/dr-copy"), T)]
#[case::arn_equals_wildcard("ArnEquals", &["arn:aws:iam::*:role/dr-copy"], known("arn:aws:iam::111122223333:role/dr-copy"), T)]
#[case::arn_not_like("ArnNotLike", &["arn:aws:iam::111122223333:role/dr-*"], known("arn:aws:iam::111122223333:user/bob"), T)]
// ...IfExists condition operators: absent key → true; present key → the operator
#[case::if_exists_absent("StringEqualsIfExists", &["prod"], KeyValue::Absent, T)]
#[case::if_exists_present_mismatch("StringEqualsIfExists", &["prod"], known("dev"), F)]
// Condition operator to check existence of condition keys (Null)
#[case::null_true_absent("Null", &["true"], KeyValue::Absent, T)]
#[case::null_true_present("Null", &["true"], known("x"), F)]
#[case::null_false_present("Null", &["false"], known("x"), T)]
#[case::null_false_absent("Null", &["false"], KeyValue::Absent, F)]
// Missing keys (policy evaluation: "the condition key is not present in the request context")
#[case::absent_positive_is_false("StringEquals", &["prod"], KeyValue::Absent, F)]
#[case::absent_negated_is_true("StringNotEquals", &["prod"], KeyValue::Absent, T)]
#[case::absent_for_all_values_is_true("ForAllValues:StringEquals", &["a"], KeyValue::Absent, T)]
#[case::absent_for_any_value_is_false("ForAnyValue:StringEquals", &["a"], KeyValue::Absent, F)]
// "Set operators for multivalued context keys"
#[case::for_any_value_one_matches("ForAnyValue:StringEquals", &["a", "b"], many(&["b", "z"]), T)]
#[case::for_any_value_none_match("ForAnyValue:StringEquals", &["a", "b"], many(&["y", "z"]), F)]
#[case::for_all_values_all_match("ForAllValues:StringEquals", &["a", "b"], many(&["a", "b"]), T)]
#[case::for_all_values_one_stray("ForAllValues:StringEquals", &["a", "b"], many(&["a", "z"]), F)]
#[case::for_all_values_like("ForAllValues:StringLike", &["team-*"], many(&["team-a", "team-b"]), T)]
// Unknown keys make the condition undetermined (fsx-guard's three-valued evaluation)
#[case::unknown_key("StringEquals", &["prod"], KeyValue::Unknown, Tri::Unknown("k".into()))]
#[case::unknown_key_if_exists("StringEqualsIfExists", &["prod"], KeyValue::Unknown, Tri::Unknown("k".into()))]
#[case::unknown_key_null("Null", &["true"], KeyValue::Unknown, Tri::Unknown("k".into()))]
#[case::unsupported_operator("StringSortaEquals", &["x"], known("x"), Tri::Unknown("condition operator `StringSortaEquals`".into()))]
fn condition_operators(#[case] op: &str, #[case] values: &[&str], #[case] key: KeyValue, #[case] expected: Tri) {
    assert_eq!(eval(op, values, key), expected);
}

// "IAM policy elements: Variables and tags"
#[rstest]
#[case::username("arn:aws:fsx:*:*:backup/${aws:username}-*", &[("aws:username", known("alice"))], Ok(Some("arn:aws:fsx:*:*:backup/alice-*")))]
#[case::default_when_absent("team-${aws:PrincipalTag/team, 'none'}", &[("aws:PrincipalTag/team", KeyValue::Absent)], Ok(Some("team-none")))]
#[case::absent_without_default("team-${aws:PrincipalTag/team}", &[("aws:PrincipalTag/team", KeyValue::Absent)], Ok(None))]
#[case::special_characters("a${*}b${?}c${$}", &[], Ok(Some("a*b?c$")))]
#[case::unknown_key("${aws:SourceIdentity}", &[], Err("aws:SourceIdentity".to_string()))]
#[case::no_variables("plain", &[], Ok(Some("plain")))]
fn policy_variables(
    #[case] text: &str,
    #[case] keys: &[(&str, KeyValue)],
    #[case] expected: Result<Option<&str>, String>,
) {
    let got = condition::substitute(text, &ctx(keys));
    assert_eq!(got, expected.map(|o| o.map(str::to_string)));
}

#[test]
fn variables_are_literal_in_version_2008_documents() {
    // "IAM policy elements: Variables": only Version 2012-10-17 substitutes.
    let values = vec!["${aws:username}".to_string()];
    let context = ctx(&[("k", known("${aws:username}")), ("aws:username", known("alice"))]);
    assert_eq!(condition::evaluate("StringEquals", "k", &values, &context, false), T);
    assert_eq!(condition::evaluate("StringEquals", "k", &values, &context, true), F);
}

// "IAM JSON policy elements: Resource" — wildcards within ARN segments.
#[rstest]
#[case::all("*", true)]
#[case::account_wildcard("arn:aws:fsx:us-east-1:*:backup/*", true)]
#[case::other_region("arn:aws:fsx:us-west-2:111122223333:backup/*", false)]
#[case::exact("arn:aws:fsx:us-east-1:111122223333:backup/backup-0123456789abcdef0", true)]
#[case::other_backup("arn:aws:fsx:us-east-1:111122223333:backup/backup-0123456789abcdef1", false)]
#[case::trailing_star_crosses("arn:aws:fsx:us-east-1:*", true)]
#[case::file_systems_only("arn:aws:fsx:us-east-1:111122223333:file-system/*", false)]
#[case::mid_segment_star_stays("arn:aws:fsx:us-*-1:111122223333:backup/*", true)]
fn resource_wildcards(#[case] pattern: &str, #[case] matches: bool) {
    assert_eq!(Pattern::resource(pattern).matches(BACKUP), matches);
}

/// An account's IAM from the `get-account-authorization-details` shapes.
fn iam(value: Value) -> Iam {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Lists {
        #[serde(default)]
        user_detail_list: Vec<fsx_guard::inventory::iam::RawUser>,
        #[serde(default)]
        group_detail_list: Vec<fsx_guard::inventory::iam::RawGroup>,
        #[serde(default)]
        role_detail_list: Vec<fsx_guard::inventory::iam::RawRole>,
        #[serde(default)]
        policies: Vec<fsx_guard::inventory::iam::RawManagedPolicy>,
    }
    let lists: Lists = serde_json::from_value(value).unwrap();
    Iam {
        users: lists.user_detail_list,
        groups: lists.group_detail_list,
        roles: lists.role_detail_list,
        policies: lists.policies,
    }
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn role_with(inline: Vec<Value>, attached: &[&str], boundary: Option<&str>, policies: Vec<Value>) -> Iam {
    let mut role = json!({
        "RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
        "RolePolicyList": inline.into_iter().enumerate().map(|(i, d)| json!({"PolicyName": format!("p{i}"), "PolicyDocument": d})).collect::<Vec<_>>(),
        "AttachedManagedPolicies": attached.iter().map(|a| json!({"PolicyArn": a})).collect::<Vec<_>>(),
        "Tags": [{"Key": "team", "Value": "storage"}]
    });
    if let Some(boundary) = boundary {
        role["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary});
    }
    iam(json!({"RoleDetailList": [role], "Policies": policies}))
}

fn managed(arn: &str, default: &str, versions: Vec<(&str, Value)>) -> Value {
    json!({"Arn": arn, "DefaultVersionId": default, "PolicyVersionList": versions.into_iter().map(|(id, d)| json!({"VersionId": id, "IsDefaultVersion": id == default, "Document": d})).collect::<Vec<_>>()})
}

fn decide_for(iam: &Iam, action: &str, resource: &str, tags: &[(&str, &str)], region: Option<&str>) -> Decision {
    let principal = Principal::role(&iam.roles[0], "111122223333");
    let policies = PrincipalPolicies::gather(&IamIndex::new(iam), &principal, action).unwrap();
    let tags = fsx_guard::inventory::model::TagSet::from_pairs(tags.iter().map(|(k, v)| (*k, *v)));
    let extra = BTreeMap::new();
    let context = RequestContext {
        principal: &principal,
        resource_tags: Some(&tags),
        resource_account: "111122223333",
        requested_region: region,
        extra: &extra,
    };
    policies.decide(resource, &context)
}

fn kind(d: &Decision) -> &'static str {
    match d {
        Decision::Allowed(_) => "allow",
        Decision::ExplicitDeny(_) => "deny",
        Decision::NoMatchingAllow => "implicit",
        Decision::OutsideBoundary => "boundary",
        Decision::Undetermined { .. } => "undetermined",
    }
}

const ALLOW_DELETE: &str = r#"{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*"}"#;

fn s(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

// "Policy evaluation logic" (identity-based policies and permissions boundaries)
#[rstest]
#[case::allow("allow", vec![doc(json!([s(ALLOW_DELETE)]))], None, &[], Some("us-east-1"))]
#[case::no_statement_implicit_deny("implicit", vec![doc(json!([{"Effect":"Allow","Action":"fsx:Describe*","Resource":"*"}]))], None, &[], Some("us-east-1"))]
#[case::explicit_deny_wins("deny", vec![doc(json!([s(ALLOW_DELETE), {"Effect":"Deny","Action":"fsx:*Backup","Resource":"*"}]))], None, &[], Some("us-east-1"))]
#[case::deny_in_another_policy_wins("deny", vec![doc(json!([s(ALLOW_DELETE)])), doc(json!([{"Effect":"Deny","Action":"*","Resource":"*"}]))], None, &[], Some("us-east-1"))]
#[case::not_action_allows_other_actions("allow", vec![doc(json!([{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]))], None, &[], Some("us-east-1"))]
#[case::not_action_excludes("implicit", vec![doc(json!([{"Effect":"Allow","NotAction":"fsx:Delete*","Resource":"*"}]))], None, &[], Some("us-east-1"))]
#[case::not_resource_excludes("implicit", vec![doc(json!([{"Effect":"Allow","Action":"fsx:*","NotResource":"arn:aws:fsx:*:*:backup/*"}]))], None, &[], Some("us-east-1"))]
#[case::not_resource_allows_others("allow", vec![doc(json!([{"Effect":"Allow","Action":"fsx:*","NotResource":"arn:aws:fsx:*:*:file-system/*"}]))], None, &[], Some("us-east-1"))]
#[case::resource_tag_condition_met("allow", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]))], None, &[("env", "dev")], Some("us-east-1"))]
#[case::resource_tag_absent("implicit", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]))], None, &[], Some("us-east-1"))]
#[case::principal_tag_variable("allow", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]))], None, &[("team", "storage")], Some("us-east-1"))]
#[case::unknown_key_on_allow("undetermined", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]))], None, &[], Some("us-east-1"))]
#[case::unknown_key_on_deny_with_allow("undetermined", vec![doc(json!([s(ALLOW_DELETE), {"Effect":"Deny","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]))], None, &[], Some("us-east-1"))]
#[case::requested_region_unknown_for_copy("undetermined", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"}}}]))], None, &[], None)]
#[case::requested_region_known("implicit", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"}}}]))], None, &[], Some("us-east-1"))]
#[case::username_absent_for_role("implicit", vec![doc(json!([{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"arn:aws:fsx:*:*:backup/${aws:username}"}]))], None, &[], Some("us-east-1"))]
#[case::boundary_allows("allow", vec![doc(json!([s(ALLOW_DELETE)]))], Some("arn:aws:iam::111122223333:policy/boundary-fsx"), &[], Some("us-east-1"))]
#[case::boundary_excludes("boundary", vec![doc(json!([s(ALLOW_DELETE)]))], Some("arn:aws:iam::111122223333:policy/boundary-describe"), &[], Some("us-east-1"))]
#[case::boundary_alone_grants_nothing("implicit", vec![], Some("arn:aws:iam::111122223333:policy/boundary-fsx"), &[], Some("us-east-1"))]
fn evaluation_logic(
    #[case] expected: &str,
    #[case] inline: Vec<Value>,
    #[case] boundary: Option<&str>,
    #[case] tags: &[(&str, &str)],
    #[case] region: Option<&str>,
) {
    let policies = vec![
        managed(
            "arn:aws:iam::111122223333:policy/boundary-fsx",
            "v1",
            vec![("v1", doc(json!([{"Effect":"Allow","Action":"fsx:*","Resource":"*"}])))],
        ),
        managed(
            "arn:aws:iam::111122223333:policy/boundary-describe",
            "v1",
            vec![("v1", doc(json!([{"Effect":"Allow","Action":"fsx:Describe*","Resource":"*"}])))],
        ),
    ];
    let iam = role_with(inline, &[], boundary, policies);
    let decision = decide_for(&iam, "fsx:DeleteBackup", BACKUP, tags, region);
    assert_eq!(kind(&decision), expected, "{decision:?}");
}

#[test]
fn only_the_default_version_of_a_managed_policy_counts() {
    // "Versioning IAM policies": only the default version is in effect.
    let arn = "arn:aws:iam::111122223333:policy/fsx-admin";
    let stale = managed(
        arn,
        "v2",
        vec![
            ("v1", doc(json!([s(ALLOW_DELETE)]))),
            ("v2", doc(json!([{"Effect":"Allow","Action":"fsx:Describe*","Resource":"*"}]))),
        ],
    );
    let iam = role_with(vec![], &[arn], None, vec![stale]);
    assert_eq!(kind(&decide_for(&iam, "fsx:DeleteBackup", BACKUP, &[], Some("us-east-1"))), "implicit");
}

#[test]
fn a_missing_managed_policy_makes_the_principal_unreadable() {
    let iam = role_with(vec![], &["arn:aws:iam::111122223333:policy/gone"], None, vec![]);
    let principal = Principal::role(&iam.roles[0], "111122223333");
    let err = PrincipalPolicies::gather(&IamIndex::new(&iam), &principal, "fsx:DeleteBackup").unwrap_err();
    assert!(err.0[0].contains("policy/gone"));
}

#[test]
fn explanations_cite_policy_and_statement() {
    let iam = role_with(
        vec![doc(
            json!([s(ALLOW_DELETE), {"Sid":"NoDelete","Effect":"Deny","Action":"fsx:DeleteBackup","Resource":"*"}]),
        )],
        &[],
        None,
        vec![],
    );
    let decision = decide_for(&iam, "fsx:DeleteBackup", BACKUP, &[], Some("us-east-1"));
    assert_eq!(decision.reason(), "explicit Deny in policy `role/r/p0` statement 1 (`NoDelete`)");
}

#[test]
fn group_policies_apply_to_their_users() {
    let iam = iam(json!({
        "UserDetailList": [{"UserName": "bob", "Arn": "arn:aws:iam::111122223333:user/bob", "GroupList": ["admins"]}],
        "GroupDetailList": [{"GroupName": "admins", "Arn": "arn:aws:iam::111122223333:group/admins", "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": doc(json!([s(ALLOW_DELETE)]))}]}]
    }));
    let principal = Principal::user(&iam.users[0], "111122223333");
    let policies = PrincipalPolicies::gather(&IamIndex::new(&iam), &principal, "fsx:DeleteBackup").unwrap();
    let extra = BTreeMap::new();
    let context = RequestContext {
        principal: &principal,
        resource_tags: None,
        resource_account: "111122223333",
        requested_region: Some("us-east-1"),
        extra: &extra,
    };
    assert!(matches!(policies.decide(BACKUP, &context), Decision::Allowed(_)));
}
