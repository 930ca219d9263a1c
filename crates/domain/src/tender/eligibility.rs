//! 参加資格: who may take part in a tender, and exactly why someone may not.
//!
//! Each requirement is independent and empty means "no requirement", so the
//! default [`Eligibility`] admits every supplier nationwide. A supplier who
//! misses several requirements hears about all of them at once.

use serde::{Deserialize, Serialize};

use super::kind::Category;
use crate::jsic::JsicCode;
use crate::organization::{Certification, Grade, GradeCategory};
use crate::prefecture::{Prefecture, Region};

/// What a tender requires of the suppliers that take part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// 所在地要件, with `regions`: the supplier's prefecture must be one of
    /// these or lie in one of `regions`. Both empty: nationwide.
    #[serde(default)]
    pub prefectures: Vec<Prefecture>,
    #[serde(default)]
    pub regions: Vec<Region>,
    /// 等級要件: the supplier must hold one of these grades in the tender's
    /// category. Exact membership, not "this grade or higher": grades are
    /// matched to contract size, and an A-grade firm is often meant to stay
    /// out of a D-grade tender.
    #[serde(default)]
    pub grades: Vec<Grade>,
    /// 業種要件: some supplier code and some required code must lie on one
    /// branch of the classification (see [`Eligibility::check`]).
    #[serde(default)]
    pub jsic: Vec<JsicCode>,
    /// 資格要件: every one of these is required.
    #[serde(default)]
    pub certifications: Vec<Certification>,
}

/// What Musubi knows about a supplier, as far as eligibility goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierFacts {
    /// Where the supplier is registered (本店または委任先の所在地).
    pub prefecture: Prefecture,
    pub jsic: Vec<JsicCode>,
    pub grades: Vec<(GradeCategory, Grade)>,
    pub certifications: Vec<Certification>,
}

/// One requirement a supplier does not meet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ineligibility {
    #[error("location requirement not met")]
    Location {
        prefectures: Vec<Prefecture>,
        regions: Vec<Region>,
    },
    #[error("grade requirement not met in {category}")]
    Grade {
        category: Category,
        grades: Vec<Grade>,
    },
    #[error("industry requirement not met")]
    Industry { jsic: Vec<JsicCode> },
    #[error("certification {certification} required")]
    Certification { certification: Certification },
}

impl Ineligibility {
    /// Stable snake-case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Location { .. } => "eligibility_location",
            Self::Grade { .. } => "eligibility_grade",
            Self::Industry { .. } => "eligibility_industry",
            Self::Certification { .. } => "eligibility_certification",
        }
    }

    /// Japanese message for the UI, naming the requirement, e.g.
    /// 所在地要件（東京都）を満たしていません。
    pub fn message_ja(&self) -> String {
        match self {
            // "、" because 九州・沖縄 has its own "・".
            Self::Location {
                prefectures,
                regions,
            } => format!(
                "所在地要件（{}）を満たしていません。",
                location_list(prefectures, regions, |p| p.name_ja(), |r| r.name_ja(), "、")
            ),
            Self::Grade { category, grades } => format!(
                "等級要件（{}：{}）を満たしていません。",
                category.name_ja(),
                join(grades.iter().map(|g| g.code()), "・")
            ),
            Self::Industry { jsic } => format!(
                "業種要件（{}）を満たしていません。",
                join(jsic.iter().map(|c| c.as_str()), "・")
            ),
            Self::Certification { certification } => format!(
                "資格要件（{}）を満たしていません。",
                short_label(certification.name_ja(), "（")
            ),
        }
    }

    /// English message for the UI.
    pub fn message_en(&self) -> String {
        match self {
            Self::Location {
                prefectures,
                regions,
            } => format!(
                "Does not meet the location requirement ({}).",
                location_list(prefectures, regions, |p| p.name_en(), |r| r.name_en(), ", ")
            ),
            Self::Grade { category, grades } => format!(
                "Does not meet the grade requirement ({}: {}).",
                category.name_en().to_lowercase(),
                join(grades.iter().map(|g| g.code()), ", ")
            ),
            Self::Industry { jsic } => format!(
                "Does not meet the industry requirement ({}).",
                join(jsic.iter().map(|c| c.as_str()), ", ")
            ),
            Self::Certification { certification } => format!(
                "Does not meet the certification requirement ({}).",
                short_label(certification.name_en(), " (")
            ),
        }
    }
}

impl_domain_error!(Ineligibility);

fn join<'a>(items: impl Iterator<Item = &'a str>, separator: &str) -> String {
    items.collect::<Vec<_>>().join(separator)
}

fn location_list(
    prefectures: &[Prefecture],
    regions: &[Region],
    prefecture_name: fn(Prefecture) -> &'static str,
    region_name: fn(Region) -> &'static str,
    separator: &str,
) -> String {
    let names = prefectures
        .iter()
        .map(|p| prefecture_name(*p))
        .chain(regions.iter().map(|r| region_name(*r)));
    join(names, separator)
}

/// "ISO 9001（品質）" → "ISO 9001": the gloss in brackets helps a picker, but
/// in a sentence it only nests brackets.
fn short_label<'a>(label: &'a str, bracket: &str) -> &'a str {
    label.split(bracket).next().unwrap_or(label)
}

impl Eligibility {
    /// No location requirement.
    pub fn is_nationwide(&self) -> bool {
        self.prefectures.is_empty() && self.regions.is_empty()
    }

    /// No requirement at all: every supplier may take part.
    pub fn is_unrestricted(&self) -> bool {
        *self == Eligibility::default()
    }

    /// `Ok` if `supplier` meets every requirement of a tender in `category`;
    /// otherwise each requirement missed, in the order location, grade,
    /// industry, certifications (one entry per missing certification).
    ///
    /// Industry matches along a branch in either direction: a supplier
    /// registered under 0911 meets a requirement of E (it is inside it), and
    /// one registered at 大分類 E meets a requirement of 0911 (a broad
    /// registration is taken to cover everything under it).
    /// Codes on different branches never match, even within one division.
    pub fn check(
        &self,
        category: Category,
        supplier: &SupplierFacts,
    ) -> Result<(), Vec<Ineligibility>> {
        let mut missed = Vec::new();

        let in_area = self.prefectures.contains(&supplier.prefecture)
            || self.regions.contains(&supplier.prefecture.region());
        if !self.is_nationwide() && !in_area {
            missed.push(Ineligibility::Location {
                prefectures: self.prefectures.clone(),
                regions: self.regions.clone(),
            });
        }

        let has_grade = supplier
            .grades
            .iter()
            .any(|(held_in, grade)| *held_in == category && self.grades.contains(grade));
        if !self.grades.is_empty() && !has_grade {
            missed.push(Ineligibility::Grade {
                category,
                grades: self.grades.clone(),
            });
        }

        let in_industry = self.jsic.iter().any(|required| {
            supplier
                .jsic
                .iter()
                .any(|own| required.contains(own) || own.contains(required))
        });
        if !self.jsic.is_empty() && !in_industry {
            missed.push(Ineligibility::Industry {
                jsic: self.jsic.clone(),
            });
        }

        let mut reported = Vec::new();
        for certification in &self.certifications {
            if !supplier.certifications.contains(certification) && !reported.contains(certification)
            {
                reported.push(*certification);
                missed.push(Ineligibility::Certification {
                    certification: *certification,
                });
            }
        }

        if missed.is_empty() {
            Ok(())
        } else {
            Err(missed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsic(s: &str) -> JsicCode {
        JsicCode::parse(s).unwrap()
    }

    /// A Tokyo manufacturer of 0911, goods grade B, ISO 9001.
    fn supplier() -> SupplierFacts {
        SupplierFacts {
            prefecture: Prefecture::Tokyo,
            jsic: vec![jsic("0911")],
            grades: vec![
                (GradeCategory::Goods, Grade::B),
                (GradeCategory::Works, Grade::A),
            ],
            certifications: vec![Certification::Iso9001],
        }
    }

    fn check(e: &Eligibility) -> Result<(), Vec<Ineligibility>> {
        e.check(Category::Goods, &supplier())
    }

    #[test]
    fn no_requirements_admit_everyone() {
        let e = Eligibility::default();
        assert!(e.is_nationwide() && e.is_unrestricted());
        assert_eq!(check(&e), Ok(()));
        let bare = SupplierFacts {
            prefecture: Prefecture::Okinawa,
            jsic: vec![],
            grades: vec![],
            certifications: vec![],
        };
        assert_eq!(e.check(Category::Works, &bare), Ok(()));
    }

    #[test]
    fn location_by_prefecture_or_region() {
        let tokyo = Eligibility {
            prefectures: vec![Prefecture::Tokyo],
            ..Eligibility::default()
        };
        assert!(!tokyo.is_nationwide());
        assert_eq!(check(&tokyo), Ok(()));

        let osaka = Eligibility {
            prefectures: vec![Prefecture::Osaka],
            ..Eligibility::default()
        };
        let missed = check(&osaka).unwrap_err();
        assert_eq!(
            missed,
            [Ineligibility::Location {
                prefectures: vec![Prefecture::Osaka],
                regions: vec![]
            }]
        );
        assert_eq!(missed[0].code(), "eligibility_location");
        assert_eq!(
            missed[0].message_ja(),
            "所在地要件（大阪府）を満たしていません。"
        );
        assert_eq!(
            missed[0].message_en(),
            "Does not meet the location requirement (Osaka)."
        );

        // Region alone: Tokyo is in 関東, not in 近畿.
        let kanto = Eligibility {
            regions: vec![Region::Kanto],
            ..Eligibility::default()
        };
        assert_eq!(check(&kanto), Ok(()));
        let kinki = Eligibility {
            regions: vec![Region::Kinki],
            ..Eligibility::default()
        };
        assert!(check(&kinki).is_err());

        // Prefectures and regions add up: 大阪府 or 関東 admits Tokyo.
        let either = Eligibility {
            prefectures: vec![Prefecture::Osaka],
            regions: vec![Region::Kanto],
            ..Eligibility::default()
        };
        assert_eq!(check(&either), Ok(()));
        let neither = Eligibility {
            prefectures: vec![Prefecture::Osaka],
            regions: vec![Region::KyushuOkinawa],
            ..Eligibility::default()
        };
        assert_eq!(
            check(&neither).unwrap_err()[0].message_ja(),
            "所在地要件（大阪府、九州・沖縄）を満たしていません。"
        );
    }

    #[test]
    fn grade_in_the_tenders_category() {
        let ab = Eligibility {
            grades: vec![Grade::A, Grade::B],
            ..Eligibility::default()
        };
        assert_eq!(check(&ab), Ok(()));

        // A is held in works, not goods: it does not count for goods.
        let a_only = Eligibility {
            grades: vec![Grade::A],
            ..Eligibility::default()
        };
        let missed = check(&a_only).unwrap_err();
        assert_eq!(
            missed,
            [Ineligibility::Grade {
                category: Category::Goods,
                grades: vec![Grade::A]
            }]
        );
        assert_eq!(a_only.check(Category::Works, &supplier()), Ok(()));

        // Exact membership: grade B does not qualify for a C/D tender.
        let cd = Eligibility {
            grades: vec![Grade::C, Grade::D],
            ..Eligibility::default()
        };
        let missed = check(&cd).unwrap_err();
        assert_eq!(missed[0].code(), "eligibility_grade");
        assert_eq!(
            missed[0].message_ja(),
            "等級要件（物品：C・D）を満たしていません。"
        );
        assert_eq!(
            missed[0].message_en(),
            "Does not meet the grade requirement (goods: C, D)."
        );
        // No grade in services at all.
        assert!(ab.check(Category::Services, &supplier()).is_err());
    }

    #[test]
    fn industry_matches_along_a_branch_both_ways() {
        let requiring = |codes: &[&str]| Eligibility {
            jsic: codes.iter().map(|c| jsic(c)).collect(),
            ..Eligibility::default()
        };
        // Supplier 0911 is the same as or below the requirement.
        for required in ["E", "09", "091", "0911"] {
            assert_eq!(check(&requiring(&[required])), Ok(()), "{required}");
        }
        // A supplier registered at a broad code covers narrower requirements.
        for own in ["E", "09", "091"] {
            let broad = SupplierFacts {
                jsic: vec![jsic(own)],
                ..supplier()
            };
            assert_eq!(
                requiring(&["0911"]).check(Category::Goods, &broad),
                Ok(()),
                "{own}"
            );
        }
        // Other branches do not match, even in the same division.
        for required in ["0912", "092", "10", "D", "0611"] {
            assert!(check(&requiring(&[required])).is_err(), "{required}");
        }
        // Any required code will do.
        assert_eq!(check(&requiring(&["D", "09"])), Ok(()));
        // A supplier with no codes meets no industry requirement.
        let none = SupplierFacts {
            jsic: vec![],
            ..supplier()
        };
        assert!(requiring(&["E"]).check(Category::Goods, &none).is_err());

        let missed = check(&requiring(&["D", "0912"])).unwrap_err();
        assert_eq!(
            missed,
            [Ineligibility::Industry {
                jsic: vec![jsic("D"), jsic("0912")]
            }]
        );
        assert_eq!(missed[0].code(), "eligibility_industry");
        assert_eq!(
            missed[0].message_ja(),
            "業種要件（D・0912）を満たしていません。"
        );
    }

    #[test]
    fn every_certification_is_required() {
        let iso = Eligibility {
            certifications: vec![Certification::Iso9001],
            ..Eligibility::default()
        };
        assert_eq!(check(&iso), Ok(()));
        let both = Eligibility {
            certifications: vec![
                Certification::Iso9001,
                Certification::Iso14001,
                Certification::PrivacyMark,
                Certification::Iso14001,
            ],
            ..Eligibility::default()
        };
        let missed = check(&both).unwrap_err();
        assert_eq!(
            missed,
            [
                Ineligibility::Certification {
                    certification: Certification::Iso14001
                },
                Ineligibility::Certification {
                    certification: Certification::PrivacyMark
                },
            ]
        );
        assert_eq!(
            missed[0].message_ja(),
            "資格要件（ISO 14001）を満たしていません。"
        );
        assert_eq!(
            missed[0].message_en(),
            "Does not meet the certification requirement (ISO 14001)."
        );
        assert_eq!(
            missed[1].message_ja(),
            "資格要件（プライバシーマーク）を満たしていません。"
        );
        assert_eq!(missed[1].code(), "eligibility_certification");
    }

    #[test]
    fn every_miss_is_reported_in_order() {
        let strict = Eligibility {
            prefectures: vec![Prefecture::Hokkaido],
            regions: vec![],
            grades: vec![Grade::A],
            jsic: vec![jsic("D")],
            certifications: vec![Certification::Haccp],
        };
        assert!(!strict.is_unrestricted());
        let codes: Vec<_> = check(&strict)
            .unwrap_err()
            .iter()
            .map(|m| m.code())
            .collect();
        assert_eq!(
            codes,
            [
                "eligibility_location",
                "eligibility_grade",
                "eligibility_industry",
                "eligibility_certification"
            ]
        );
        let as_trait: &dyn crate::DomainError = &check(&strict).unwrap_err()[0];
        assert_eq!(
            as_trait.message_ja(),
            "所在地要件（北海道）を満たしていません。"
        );
    }
}
