//! What a tender is (見積依頼, 入札, 企画提案, ニーズ), what it buys, and how it
//! is contracted and awarded.

use crate::organization::GradeCategory;

/// 物品 / 工事 / 役務: what a tender buys.
///
/// The same type as the category a supplier's 等級 is held in, so a tender's
/// category picks the supplier's grade directly with no mapping to drift.
/// The codes (`goods`, `works`, `services`) are also OCDS
/// `procurementCategory` codes, so export uses [`GradeCategory::code`] as is.
pub type Category = GradeCategory;

code_enum!(
    /// 案件種別: how responses are asked for.
    TenderKind, "tender kind", {
        /// 見積依頼: quotes sealed until the deadline.
        Rfq => "rfq", "見積依頼", "Request for quotation";
        /// 入札: sealed price bids opened together at 開札.
        SealedBid => "sealed_bid", "入札", "Sealed bid";
        /// 企画提案 (プロポーザル): proposals judged on content.
        Proposal => "proposal", "企画提案", "Proposal";
        /// ニーズ・課題: collaboration needs and open-innovation challenges.
        Need => "need", "ニーズ・課題", "Need / challenge";
    }
);

code_enum!(
    /// 契約方法 (procurement method).
    ContractMethod, "contract method", {
        /// 一般競争: anyone eligible may take part.
        Open => "open", "一般競争", "Open competition";
        /// 指名競争: the buyer names who may take part.
        Selective => "selective", "指名競争", "Selective (nominated) competition";
        /// 希望制指名: suppliers apply first, then the buyer nominates.
        SelectiveByApplication => "selective_by_application", "希望制指名", "Selective competition by application";
        /// 随意契約: negotiated with chosen suppliers.
        Direct => "direct", "随意契約", "Direct (negotiated) contract";
    }
);

impl ContractMethod {
    /// OCDS `procurementMethod`. 希望制指名 is `selective` because the buyer
    /// still decides who bids; the application step is ours, not OCDS's.
    pub fn ocds_procurement_method(self) -> &'static str {
        match self {
            ContractMethod::Open => "open",
            ContractMethod::Selective | ContractMethod::SelectiveByApplication => "selective",
            ContractMethod::Direct => "limited",
        }
    }

    /// Whether the tender has an application window (参加申請期間): only
    /// 希望制指名 does.
    pub fn has_application_window(self) -> bool {
        self == ContractMethod::SelectiveByApplication
    }
}

code_enum!(
    /// 落札者決定方式: how the winner is chosen.
    AwardMethod, "award method", {
        /// 最低価格落札方式: lowest valid price wins.
        LowestPrice => "lowest_price", "最低価格", "Lowest price";
        /// 総合評価（加算方式）: price points + technical points.
        BestValueAdditive => "best_value_additive", "総合評価（加算方式）", "Best value (additive)";
        /// 総合評価（除算方式）: (base + technical points) / price.
        BestValueDivision => "best_value_division", "総合評価（除算方式）", "Best value (division)";
        /// 企画提案評価: proposals scored by an evaluation committee.
        ProposalEvaluation => "proposal_evaluation", "企画提案評価", "Proposal evaluation";
    }
);

impl AwardMethod {
    /// OCDS `awardCriteria`. Proposals are `ratedCriteria` as the glossary
    /// says: price usually still counts beside content.
    pub fn ocds_award_criteria(self) -> &'static str {
        match self {
            AwardMethod::LowestPrice => "priceOnly",
            _ => "ratedCriteria",
        }
    }

    /// Whether scoring beyond price happens, i.e. the tender needs an
    /// evaluation step between 開札 and 落札者決定.
    pub fn needs_evaluation(self) -> bool {
        self != AwardMethod::LowestPrice
    }
}

code_enum!(
    /// When the 予定価格 (reserve price) is made public.
    ReservePricePublication, "reserve price publication", {
        /// 事前公表: published with the tender.
        InAdvance => "in_advance", "事前公表", "Published in advance";
        /// 事後公表: published at 開札, with the bids.
        AtOpening => "at_opening", "事後公表", "Published at opening";
    }
);

impl ReservePricePublication {
    /// Whether suppliers may see the 予定価格 while the tender is open.
    pub fn is_public_before_opening(self) -> bool {
        self == ReservePricePublication::InAdvance
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use std::collections::HashSet;

    /// Codes, labels, parse, Display and FromStr of one code enum.
    macro_rules! check_codes {
        ($ty:ty) => {{
            let all = <$ty>::ALL;
            let codes: HashSet<_> = all.iter().map(|v| v.code()).collect();
            let ja: HashSet<_> = all.iter().map(|v| v.name_ja()).collect();
            let en: HashSet<_> = all.iter().map(|v| v.name_en()).collect();
            assert_eq!(codes.len(), all.len());
            assert_eq!(ja.len(), all.len());
            assert_eq!(en.len(), all.len());
            for v in all {
                assert_eq!(<$ty>::parse(v.code()), Ok(*v));
                assert_eq!(v.to_string().parse::<$ty>(), Ok(*v));
                assert_eq!(<$ty>::parse(&format!(" {} ", v.code())), Ok(*v));
                let de: StrDeserializer<DeError> = v.code().into_deserializer();
                assert_eq!(<$ty>::deserialize(de).unwrap(), *v);
            }
            let err = <$ty>::parse("nonsense").unwrap_err();
            assert_eq!(err.code(), "unknown_code");
            let de: StrDeserializer<DeError> = "nonsense".into_deserializer();
            assert!(<$ty>::deserialize(de).is_err());
        }};
    }

    #[test]
    fn codes_round_trip() {
        check_codes!(TenderKind);
        check_codes!(ContractMethod);
        check_codes!(AwardMethod);
        check_codes!(ReservePricePublication);
        check_codes!(Category);
    }

    #[test]
    fn codes_and_labels() {
        let kinds: Vec<_> = TenderKind::ALL
            .iter()
            .map(|k| (k.code(), k.name_ja()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("rfq", "見積依頼"),
                ("sealed_bid", "入札"),
                ("proposal", "企画提案"),
                ("need", "ニーズ・課題"),
            ]
        );
        assert_eq!(
            ContractMethod::SelectiveByApplication.name_ja(),
            "希望制指名"
        );
        assert_eq!(ContractMethod::Direct.name_ja(), "随意契約");
        assert_eq!(
            AwardMethod::BestValueAdditive.name_ja(),
            "総合評価（加算方式）"
        );
        assert_eq!(ReservePricePublication::AtOpening.name_ja(), "事後公表");
        // Parsing is by code only: labels are for people, not for input.
        assert!(ContractMethod::parse("一般競争").is_err());
        assert!(TenderKind::parse("RFQ").is_err());
    }

    #[test]
    fn category_is_the_grade_category_with_ocds_codes() {
        let codes: Vec<_> = Category::ALL
            .iter()
            .map(|c| (c.code(), c.name_ja()))
            .collect();
        assert_eq!(
            codes,
            [("goods", "物品"), ("works", "工事"), ("services", "役務")]
        );
        let grade_category: GradeCategory = Category::Works;
        assert_eq!(grade_category, GradeCategory::Works);
    }

    #[test]
    fn ocds_procurement_method() {
        use ContractMethod::*;
        let mapped: Vec<_> = [Open, Selective, SelectiveByApplication, Direct]
            .iter()
            .map(|m| m.ocds_procurement_method())
            .collect();
        assert_eq!(mapped, ["open", "selective", "selective", "limited"]);
        assert!(SelectiveByApplication.has_application_window());
        assert!(!Open.has_application_window());
        assert!(!Selective.has_application_window());
        assert!(!Direct.has_application_window());
    }

    #[test]
    fn award_method_and_reserve_price() {
        assert_eq!(AwardMethod::LowestPrice.ocds_award_criteria(), "priceOnly");
        assert_eq!(
            AwardMethod::ProposalEvaluation.ocds_award_criteria(),
            "ratedCriteria"
        );
        assert!(!AwardMethod::LowestPrice.needs_evaluation());
        assert!(AwardMethod::BestValueDivision.needs_evaluation());
        assert!(ReservePricePublication::InAdvance.is_public_before_opening());
        assert!(!ReservePricePublication::AtOpening.is_public_before_opening());
    }
}
