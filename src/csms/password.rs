//! Generate Random Password: the request, its rules, and which characters each class holds
//! (docs/DECISIONS.md `GenerateRandomPassword`). The drawing itself is the key manager's.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{ApiError, Field, FieldError};

/// Passwords have 1–255 characters; 32 when the request says nothing.
pub const MAX_PASSWORD_LENGTH: u32 = 255;
pub const DEFAULT_PASSWORD_LENGTH: u32 = 32;

/// A class of characters a password may draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordClass {
    Lowercase,
    Uppercase,
    Numbers,
    Punctuation,
    Space,
}

impl PasswordClass {
    /// The class's characters, in ASCII order.
    pub fn chars(self) -> &'static str {
        match self {
            Self::Lowercase => "abcdefghijklmnopqrstuvwxyz",
            Self::Uppercase => "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            Self::Numbers => "0123456789",
            Self::Punctuation => "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            Self::Space => " ",
        }
    }
}

/// `POST /v1/{project_id}/csms/generate-password`. Every field is optional.
#[allow(
    clippy::struct_excessive_bools,
    reason = "the API's request body: each flag is a field of GenerateRandomPassword"
)]
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, Serialize)]
#[serde(default)]
pub struct GeneratePasswordRequest {
    pub length: Option<i64>,
    pub exclude_characters: Option<String>,
    pub exclude_lowercase: bool,
    pub exclude_uppercase: bool,
    pub exclude_numbers: bool,
    pub exclude_punctuation: bool,
    pub include_space: bool,
    pub require_each_included_type: bool,
    /// Accepted and ignored.
    pub password_policy_name: Option<String>,
}

impl GeneratePasswordRequest {
    /// Every broken rule: the length, then the character choices.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out: Vec<FieldError> = self.checked_length().err().into_iter().collect();
        if let Err(p) = self.checked_classes()
            && !out.contains(&p)
        {
            out.push(p);
        }
        out
    }

    /// The length asked for: 1–255, 32 when absent (`CSMS.0002` otherwise).
    pub fn length(&self) -> Result<usize, ApiError> {
        self.checked_length().map_err(|p| p.to_api())
    }

    /// The classes left after the `exclude_*`/`include_space` choices, each with the characters
    /// `exclude_characters` leaves in it; classes left empty are dropped. `CSMS.0002` when nothing
    /// is left to draw from, when only the space is left (a password of spaces only), or when `require_each_included_type` asks for more classes than the
    /// length has characters.
    pub fn classes(&self) -> Result<Vec<(PasswordClass, Vec<char>)>, ApiError> {
        self.checked_classes().map_err(|p| p.to_api())
    }

    fn checked_length(&self) -> Result<usize, FieldError> {
        let length = self.length.unwrap_or(i64::from(DEFAULT_PASSWORD_LENGTH));
        match usize::try_from(length) {
            Ok(n @ 1..=255) => Ok(n),
            _ => Err(FieldError::new(
                Field::Length,
                format!("{length}; it must be 1–{MAX_PASSWORD_LENGTH}"),
            )),
        }
    }

    fn checked_classes(&self) -> Result<Vec<(PasswordClass, Vec<char>)>, FieldError> {
        let excluded = self.exclude_characters.as_deref().unwrap_or("");
        let wanted = [
            (PasswordClass::Lowercase, !self.exclude_lowercase),
            (PasswordClass::Uppercase, !self.exclude_uppercase),
            (PasswordClass::Numbers, !self.exclude_numbers),
            (PasswordClass::Punctuation, !self.exclude_punctuation),
            (PasswordClass::Space, self.include_space),
        ];
        let classes: Vec<(PasswordClass, Vec<char>)> = wanted
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(class, _)| {
                let chars = class.chars().chars().filter(|c| !excluded.contains(*c));
                (class, chars.collect::<Vec<char>>())
            })
            .filter(|(_, chars)| !chars.is_empty())
            .collect();
        if classes.is_empty() {
            return Err(FieldError::new(
                Field::PasswordOptions,
                "every character is excluded; nothing is left to draw from",
            ));
        }
        if classes
            .iter()
            .all(|(class, _)| *class == PasswordClass::Space)
        {
            return Err(FieldError::new(
                Field::PasswordOptions,
                "only the space character is left; a password made only of spaces is refused",
            ));
        }
        let length = self.checked_length()?;
        if self.require_each_included_type && length < classes.len() {
            return Err(FieldError::new(
                Field::Length,
                format!(
                    "{length} is fewer than the {} character types each password must include",
                    classes.len()
                ),
            ));
        }
        Ok(classes)
    }
}

/// `{"password": "..."}`. The password is wiped on drop and never printed by `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct PasswordResponse {
    #[serde(deserialize_with = "super::value_field::deserialize_required")]
    pub password: Zeroizing<String>,
}

impl fmt::Debug for PasswordResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordResponse(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_every_class_but_space_and_32_characters() {
        let req = GeneratePasswordRequest::default();
        assert_eq!(req.length().ok(), Some(32));
        let classes = req.classes().unwrap_or_default();
        assert_eq!(classes.len(), 4);
        assert_eq!(classes[3].1.len(), 32, "32 punctuation characters");
    }

    #[test]
    fn refusals() {
        let mut req = GeneratePasswordRequest {
            length: Some(0),
            ..Default::default()
        };
        assert!(req.length().is_err());
        req.length = Some(256);
        assert!(req.length().is_err());
        req.length = Some(3);
        req.require_each_included_type = true;
        assert!(req.classes().is_err(), "4 types in 3 characters");
        let nothing = GeneratePasswordRequest {
            exclude_lowercase: true,
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_characters: Some(PasswordClass::Punctuation.chars().into()),
            ..Default::default()
        };
        assert!(nothing.classes().is_err());
    }

    /// A password of spaces only is refused, however the choices leave only the space: every
    /// other class excluded, or every other character.
    #[test]
    fn only_spaces_left_is_refused() {
        let classes_off = GeneratePasswordRequest {
            exclude_lowercase: true,
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_punctuation: true,
            include_space: true,
            ..Default::default()
        };
        let all: String = [
            PasswordClass::Lowercase,
            PasswordClass::Uppercase,
            PasswordClass::Numbers,
            PasswordClass::Punctuation,
        ]
        .iter()
        .map(|c| c.chars())
        .collect();
        let characters_off = GeneratePasswordRequest {
            exclude_characters: Some(all),
            include_space: true,
            ..Default::default()
        };
        for req in [classes_off, characters_off] {
            let Err(e) = req.classes() else {
                panic!("spaces only were allowed")
            };
            assert_eq!(e.code.as_str(), "CSMS.0002");
            assert!(e.error_msg.contains("only of spaces"), "{}", e.error_msg);
            assert_eq!(req.problems().len(), 1);
        }
        let with_a_letter = GeneratePasswordRequest {
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_punctuation: true,
            exclude_characters: Some("abcdefghijklmnopqrstuvwxy".into()),
            include_space: true,
            ..Default::default()
        };
        assert!(with_a_letter.classes().is_ok(), "z and space are allowed");
    }
}
