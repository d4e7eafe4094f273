//! Checks: the secrets-check configuration (`ShowSecretsConfig`, `UpdateSecretsConfig`), `CheckSecrets`'
//! strength estimate (one function, [`strength`], which the vault, the command line and the
//! terminal app's forms share), and the shapes of the local health report (docs/DECISIONS.md
//! "checks" and "Checks and the health report (issue 14)").

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{Field, FieldError, MAX_VALUE_BYTES};

/// The only `CheckSecrets` `type` csvault runs (the API leaves `type` open; docs/DECISIONS.md
/// "checks").
pub const CHECK_TYPE_STRENGTH: &str = "strength";

/// How many characters of a value the estimator reads: zxcvbn's own cut (it looks at the first
/// 100 characters only, so a long value costs no more than a short one).
pub const STRENGTH_CHARS: usize = 100;

/// The health report's default window for soon-expiring versions, in days.
pub const DEFAULT_EXPIRING_DAYS: u32 = 30;
/// The health report's default age past which a current value counts as unchanged, in days.
pub const DEFAULT_UNCHANGED_DAYS: u32 = 365;
/// `expiring_days` is 1–365 (*local*).
pub const MAX_EXPIRING_DAYS: u32 = 365;
/// `unchanged_days` is 1–3650 (*local*: ten years).
pub const MAX_UNCHANGED_DAYS: u32 = 3650;

/// `ShowSecretsConfig`'s answer and `UpdateSecretsConfig`'s: `{"checking_secret_strength": bool}`.
/// While it is on, the command line and the terminal app's forms warn about a weak text value
/// as it is stored (they never refuse it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretsConfig {
    pub checking_secret_strength: bool,
}

/// `UpdateSecretsConfig`'s body: an absent field leaves the setting as it is. Unknown fields are
/// ignored, as everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct UpdateSecretsConfigRequest {
    #[serde(default)]
    pub checking_secret_strength: Option<bool>,
}

/// `CheckSecrets`' body: `{"type": "strength", "data": {"secret_string": "..."}}`. The value is
/// read straight into wiped memory and never stored, logged or shown by `Debug`.
#[derive(Clone, Deserialize, Serialize)]
pub struct CheckSecretsRequest {
    #[serde(rename = "type")]
    pub check_type: String,
    pub data: CheckData,
}

/// `CheckSecrets`' `data`: the text to estimate. Other fields are ignored.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct CheckData {
    #[serde(default, deserialize_with = "super::value_field::deserialize")]
    pub secret_string: Option<Zeroizing<String>>,
}

impl fmt::Debug for CheckSecretsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckSecretsRequest")
            .field("check_type", &self.check_type)
            .field(
                "secret_string",
                &self.data.secret_string.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl CheckSecretsRequest {
    /// A strength check of `value`.
    pub fn strength(value: Zeroizing<String>) -> Self {
        Self {
            check_type: CHECK_TYPE_STRENGTH.to_owned(),
            data: CheckData {
                secret_string: Some(value),
            },
        }
    }

    /// Every broken rule: a `type` other than `strength`, then a `data` without a text
    /// `secret_string` of at most 32,768 bytes (`CSMS.0002`; docs/DECISIONS.md "checks").
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.check_type != CHECK_TYPE_STRENGTH {
            out.push(FieldError::new(
                Field::CheckType,
                "the only check type is strength",
            ));
        }
        match &self.data.secret_string {
            None => out.push(FieldError::new(
                Field::CheckData,
                "it must hold secret_string, the text to check",
            )),
            Some(text) if text.len() > MAX_VALUE_BYTES => out.push(FieldError::new(
                Field::CheckData,
                "secret_string has at most 32,768 bytes",
            )),
            Some(_) => {}
        }
        out
    }
}

/// How strong a value is, from the estimator's score (docs/DECISIONS.md "Checks and the health
/// report (issue 14)"): 0–2 `WEAK` (10^8 guesses or fewer: zxcvbn's own "too weak"), 3
/// `MEDIUM`, 4 `STRONG`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Strength {
    Weak,
    Medium,
    Strong,
}

impl Strength {
    /// The strength of a zxcvbn score (0–4; anything above 4 is `STRONG`).
    pub fn of_score(score: u8) -> Self {
        match score {
            0..=2 => Self::Weak,
            3 => Self::Medium,
            _ => Self::Strong,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weak => "WEAK",
            Self::Medium => "MEDIUM",
            Self::Strong => "STRONG",
        }
    }
}

/// `CheckSecrets`' `data` in the answer: the strength, the score (0–4) and the estimator's
/// feedback (its warning, then its suggestions; empty unless `WEAK`). Never the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrengthData {
    pub strength: Strength,
    pub score: u8,
    pub warnings: Vec<String>,
}

/// `CheckSecrets`' answer: `{"type": "strength", "data": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckSecretsResponse {
    #[serde(rename = "type")]
    pub check_type: &'static str,
    pub data: StrengthData,
}

impl<'de> Deserialize<'de> for CheckSecretsResponse {
    /// Read back (the agent's wire): the strength check is the only kind.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Data {
            data: StrengthData,
        }
        Ok(Self {
            check_type: CHECK_TYPE_STRENGTH,
            data: Data::deserialize(d)?.data,
        })
    }
}

/// The strength of a text value, by zxcvbn (the first [`STRENGTH_CHARS`] characters; no
/// user-specific words). The same function serves `CheckSecrets`, the command line's warning,
/// the forms' live warning and the health report, so they always agree.
///
/// zxcvbn copies parts of what it reads into its own unwiped buffers (docs/DECISIONS.md
/// "Checks and the health report (issue 14)"); nothing of the value is in what this returns.
pub fn strength(value: &str) -> StrengthData {
    let entropy = zxcvbn::zxcvbn(value, &[]);
    let score = u8::from(entropy.score());
    let warnings = entropy
        .feedback()
        .map(|f| {
            f.warning()
                .map(|w| w.to_string())
                .into_iter()
                .chain(f.suggestions().iter().map(ToString::to_string))
                .collect()
        })
        .unwrap_or_default();
    StrengthData {
        strength: Strength::of_score(score),
        score,
        warnings,
    }
}

/// The health report's windows as asked for: each `None` takes the vault's stored setting, else
/// the default. Also the body of the local `UpdateReportSettings`, where `None` leaves the stored
/// setting as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWindows {
    /// Versions that expire within this many days (1–365) are `expiring`.
    pub expiring_days: Option<u32>,
    /// A current value created this many days ago or more (1–3650) is `unchanged`.
    pub unchanged_days: Option<u32>,
}

impl ReportWindows {
    /// Every broken rule: `expiring_days` outside 1–365, `unchanged_days` outside 1–3650
    /// (`CSMS.0002`).
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self
            .expiring_days
            .is_some_and(|d| d == 0 || d > MAX_EXPIRING_DAYS)
        {
            out.push(FieldError::new(Field::ExpiringDays, "it must be 1–365"));
        }
        if self
            .unchanged_days
            .is_some_and(|d| d == 0 || d > MAX_UNCHANGED_DAYS)
        {
            out.push(FieldError::new(Field::UnchangedDays, "it must be 1–3650"));
        }
        out
    }
}

/// The windows a health report used (and the stored settings, as `UpdateReportSettings`
/// answers them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSettings {
    pub expiring_days: u32,
    pub unchanged_days: u32,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            expiring_days: DEFAULT_EXPIRING_DAYS,
            unchanged_days: DEFAULT_UNCHANGED_DAYS,
        }
    }
}

/// A version with an `expire_time` (epoch ms), in `expired` or `expiring`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringVersion {
    pub name: String,
    pub version_id: String,
    pub expire_time: i64,
}

/// A secret whose automatic rotation is past due (`next_rotation_time`, epoch ms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueRotation {
    pub name: String,
    pub next_rotation_time: i64,
}

/// A secret whose current value (`version_id`, created at `create_time`, epoch ms) is older
/// than the report's `unchanged_days`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnchangedValue {
    pub name: String,
    pub version_id: String,
    pub create_time: i64,
}

/// What the report did not look at: secrets that are not `ENABLED`, and current values it
/// could not open (their CMK missing or disabled, a ciphertext that fails to authenticate).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSkipped {
    pub not_enabled: Vec<String>,
    pub unreadable: Vec<String>,
}

/// The health report (local; `csvault report`, the terminal app's report screen): what needs
/// attention, by name, never a value. Each list is sorted (by name; the versions by expiry).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// Current text values the estimator calls `WEAK`.
    pub weak: Vec<String>,
    /// Groups of secrets whose current values are the same bytes.
    pub reused: Vec<Vec<String>>,
    /// Versions that carry a stage and whose `expire_time` has passed.
    pub expired: Vec<ExpiringVersion>,
    /// Versions that carry a stage and expire within `settings.expiring_days`.
    pub expiring: Vec<ExpiringVersion>,
    /// Automatic rotation on and `next_rotation_time` past.
    pub rotation_overdue: Vec<OverdueRotation>,
    /// Current values created `settings.unchanged_days` ago or more.
    pub unchanged: Vec<UnchangedValue>,
    pub skipped: ReportSkipped,
    /// How many current values were read.
    pub checked: usize,
    pub settings: ReportSettings,
    /// When the report was made (epoch ms).
    pub report_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_maps_to_three_strengths() {
        let mapped: Vec<&str> = (0..=4).map(|s| Strength::of_score(s).as_str()).collect();
        assert_eq!(mapped, ["WEAK", "WEAK", "WEAK", "MEDIUM", "STRONG"]);
    }

    #[test]
    fn a_common_password_is_weak_and_says_why_and_a_long_random_one_is_strong() {
        let weak = strength("password1");
        assert_eq!(weak.strength, Strength::Weak);
        assert!(weak.score <= 2);
        assert!(!weak.warnings.is_empty());
        assert!(weak.warnings.iter().all(|w| !w.contains("password1")));
        let strong = strength("q7#Vf!2pLx@9Rz$wK3m&Tb8^Yh");
        assert_eq!((strong.strength, strong.score), (Strength::Strong, 4));
        assert!(strong.warnings.is_empty());
        assert_eq!(strength("").strength, Strength::Weak);
    }

    #[test]
    fn check_requests_name_their_broken_fields_and_hide_the_value() {
        let body = br#"{"type": "entropy", "data": {}}"#;
        let req: CheckSecretsRequest = crate::csms::parse_body(body).unwrap_or_else(|e| {
            panic!("{e:?}");
        });
        let fields: Vec<Field> = req.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::CheckType, Field::CheckData]);
        let ok = CheckSecretsRequest::strength(Zeroizing::new("hunter2".into()));
        assert!(ok.problems().is_empty());
        assert!(!format!("{ok:?}").contains("hunter2"));
        let big = CheckSecretsRequest::strength(Zeroizing::new("x".repeat(MAX_VALUE_BYTES + 1)));
        assert_eq!(big.problems()[0].field, Field::CheckData);
    }

    #[test]
    fn report_windows_are_bounded() {
        let ok = ReportWindows {
            expiring_days: Some(365),
            unchanged_days: Some(1),
        };
        assert!(ok.problems().is_empty());
        let bad = ReportWindows {
            expiring_days: Some(0),
            unchanged_days: Some(3651),
        };
        let fields: Vec<Field> = bad.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::ExpiringDays, Field::UnchangedDays]);
    }
}
