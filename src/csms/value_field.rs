//! The value fields of request bodies (`secret_string`, `secret_binary`), unescaped from the
//! (wiped) body straight into wiped memory.
//!
//! `serde_json` unescapes a string holding `\n`, `\"` or `\uXXXX` in a scratch buffer of its own,
//! which it frees unwiped; PEM keys and JSON from encoders that escape non-ASCII (Python's
//! `json.dumps`) always take that path. Borrowing the raw JSON text instead and unescaping it here
//! leaves no copy of a value outside a `Zeroizing` buffer.

use serde::de::{Deserialize, Deserializer, Error};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

/// `deserialize_with` for `Option<Zeroizing<String>>` value fields; `null` is absent. Needs a
/// deserializer that borrows from its input (`serde_json::from_slice`, `from_str`).
///
/// Errors: anything but a JSON string or `null`.
pub fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Zeroizing<String>>, D::Error> {
    let Some(raw) = Option::<&'de RawValue>::deserialize(deserializer)? else {
        return Ok(None);
    };
    unescape(raw.get())
        .map(Some)
        .ok_or_else(|| D::Error::custom("invalid type: a value must be a JSON string"))
}

/// `deserialize_with` for a required `Zeroizing<String>` value (a generated password read back
/// from the agent).
///
/// Errors: anything but a JSON string.
pub fn deserialize_required<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Zeroizing<String>, D::Error> {
    deserialize(deserializer)?.ok_or_else(|| D::Error::custom("a value is required"))
}

/// The text of the JSON string literal `raw` (quotes included), or `None` if it is not one. The
/// result never outgrows its first allocation: unescaped text is never longer than its literal.
fn unescape(raw: &str) -> Option<Zeroizing<String>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Zeroizing::new(String::with_capacity(inner.len()));
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&first) {
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let second = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?
                } else {
                    char::from_u32(first)?
                }
            }
            _ => return None,
        });
    }
    Some(out)
}

/// Four hex digits of a `\u` escape.
fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    (0..4).try_fold(0u32, |acc, _| Some(acc * 16 + chars.next()?.to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_decodes_as_serde_json_decodes_it() {
        let cases = [
            r#""plain""#,
            r#""-----BEGIN KEY-----\nAbC\r\n\t\"quoted\" back\\slash \/ \b\f""#,
            r#""caf\u00e9 \u65e5\u672c \ud83d\ude00 \u0000 end""#,
            r#""日本 é ✓ 😀""#,
            r#""""#,
        ];
        for raw in cases {
            let ours = unescape(raw).unwrap_or_else(|| panic!("{raw}"));
            let theirs: String = serde_json::from_str(raw).unwrap_or_default();
            assert_eq!(ours.as_str(), theirs, "{raw}");
            assert!(ours.capacity() >= ours.len() && ours.capacity() <= raw.len());
        }
    }

    #[test]
    fn what_is_not_a_string_literal_is_refused() {
        for raw in [
            "12",
            "null",
            r#""\x""#,
            r#""\ud83d""#,
            r#""\ud83d\u0041""#,
            r#""\u12""#,
        ] {
            assert!(unescape(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn request_bodies_take_values_through_it() {
        let req = crate::csms::CreateSecretRequest::from_json(
            br#"{"name": "k", "secret_string": "line1\nline2", "secret_binary": null}"#,
        )
        .unwrap_or_default();
        assert_eq!(
            req.secret_string.as_deref().map(String::as_str),
            Some("line1\nline2")
        );
        assert!(req.secret_binary.is_none());
        let refused =
            crate::csms::CreateSecretRequest::from_json(br#"{"name": "k", "secret_string": 42}"#);
        assert!(refused.is_err());
    }
}
