//! Random passwords: uniform draws from the operating system's generator, no modulo bias.

use zeroize::Zeroizing;

use super::KmsError;

/// A password of `length` characters drawn uniformly from every character of `classes`. With
/// `require_each`, passwords missing a class are drawn again, which keeps every acceptable
/// password equally likely; so is a draw of spaces only. `classes` must hold a character other
/// than the space, and `length` be at least their number when `require_each` (the contract checks both: `csms::GeneratePasswordRequest`).
pub fn generate(
    length: usize,
    classes: &[&[char]],
    require_each: bool,
) -> Result<Zeroizing<String>, KmsError> {
    let pool: Vec<char> = classes.iter().flat_map(|c| c.iter().copied()).collect();
    if pool.iter().all(|c| *c == ' ') || (require_each && length < classes.len()) {
        return Err(KmsError::Random);
    }
    // Far more than any acceptable request needs: the worst, four one-character classes and the
    // 32 punctuation marks in five characters, succeeds about once in 16,000 draws.
    for _ in 0..1_000_000 {
        let password = draw(length, &pool)?;
        // A password of spaces only (a short one drawn from a pool with the space) is no
        // password: drawn again, like one missing a required class.
        let blank = password.chars().all(|c| c == ' ');
        if !blank
            && (!require_each
                || classes
                    .iter()
                    .all(|c| password.chars().any(|p| c.contains(&p))))
        {
            return Ok(password);
        }
    }
    Err(KmsError::Random)
}

/// `len` bytes from the operating system's generator, in a buffer wiped on drop (a rotated
/// binary value).
pub fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>, KmsError> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    getrandom::fill(out.as_mut_slice()).map_err(|_| KmsError::Random)?;
    Ok(out)
}

/// `length` characters of `pool`, each uniform: a random `u32` is used only below the largest
/// multiple of the pool's size, so every character is equally likely.
fn draw(length: usize, pool: &[char]) -> Result<Zeroizing<String>, KmsError> {
    let n = u32::try_from(pool.len()).map_err(|_| KmsError::Random)?;
    let limit = u32::MAX - (u32::MAX % n);
    let mut out = Zeroizing::new(String::with_capacity(length));
    let mut random = Zeroizing::new([0u8; 256]);
    let mut used = random.len();
    let mut drawn = 0;
    while drawn < length {
        if used + 4 > random.len() {
            getrandom::fill(random.as_mut_slice()).map_err(|_| KmsError::Random)?;
            used = 0;
        }
        let word = u32::from_le_bytes([
            random[used],
            random[used + 1],
            random[used + 2],
            random[used + 3],
        ]);
        used += 4;
        if word < limit {
            let index = usize::try_from(word % n).map_err(|_| KmsError::Random)?;
            out.push(pool[index]);
            drawn += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOWER: &[char] = &['a', 'b', 'c'];
    const DIGITS: &[char] = &['0', '1'];

    #[test]
    fn length_and_pool_are_kept() {
        let p = generate(40, &[LOWER, DIGITS], false).unwrap_or_default();
        assert_eq!(p.chars().count(), 40);
        assert!(p.chars().all(|c| LOWER.contains(&c) || DIGITS.contains(&c)));
    }

    #[test]
    fn a_password_is_never_spaces_only() {
        for _ in 0..200 {
            let p = generate(1, &[&[' '], &['a']], false).unwrap_or_default();
            assert_eq!(p.as_str(), "a");
        }
        assert!(
            generate(3, &[&[' ']], false).is_err(),
            "no password in the pool"
        );
    }

    #[test]
    fn each_class_is_present_when_required() {
        for _ in 0..200 {
            let p = generate(2, &[LOWER, DIGITS], true).unwrap_or_default();
            assert!(p.chars().any(|c| LOWER.contains(&c)));
            assert!(p.chars().any(|c| DIGITS.contains(&c)));
        }
    }

    /// A chi-squared test over a large sample: every character of a 7-character pool is drawn
    /// equally often within the bound a uniform source meets 99.9% of the time.
    #[test]
    fn draws_are_uniform() {
        let pool = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
        let sample = generate(70_000, &[&pool], false).unwrap_or_default();
        let expected = 10_000.0_f64;
        let chi2: f64 = pool
            .iter()
            .map(|c| {
                let seen = f64::from(
                    u32::try_from(sample.chars().filter(|s| s == c).count()).unwrap_or(0),
                );
                (seen - expected).powi(2) / expected
            })
            .sum();
        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
        assert!(chi2 < 22.46, "chi-squared {chi2:.2}");
    }
}
