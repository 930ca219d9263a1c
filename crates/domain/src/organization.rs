//! Organisations and the roles people hold in them and on the platform.

/// A code outside its closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{code}'")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

impl UnknownCode {
    pub fn code(&self) -> &'static str {
        "unknown_code"
    }
    pub fn message_ja(&self) -> String {
        format!("「{}」は選択できない値です。", self.code)
    }
}
impl_domain_error!(UnknownCode);

code_enum!(
    /// What an organisation is. Suppliers answer tenders; the other kinds are buyers.
    OrgKind, "organisation kind", {
        Supplier => "supplier", "受注者（登録企業）", "Supplier";
        PublicBody => "public_body", "発注機関（官公庁・地方公共団体）", "Buyer: public body";
        PublicCorporation => "public_corporation", "発注機関（公社・外郭団体等）", "Buyer: public corporation";
        PrivateCompany => "private_company", "発注者（民間企業）", "Buyer: private company";
    }
);

impl OrgKind {
    pub fn is_buyer(self) -> bool {
        self != OrgKind::Supplier
    }
}

code_enum!(
    /// A person's role in their organisation.
    OrgRole, "organisation role", {
        Admin => "admin", "管理者", "Administrator";
        Member => "member", "担当者", "Member";
    }
);

code_enum!(
    /// A person's role on the platform itself, beyond their organisation.
    PlatformRole, "platform role", {
        User => "user", "一般利用者", "User";
        Coordinator => "coordinator", "コーディネーター", "Coordinator";
        Admin => "admin", "システム管理者", "Platform administrator";
    }
);

code_enum!(
    /// Whether a buyer organisation may publish. Suppliers need no approval.
    Approval, "approval status", {
        NotRequired => "not_required", "承認不要", "No approval needed";
        Pending => "pending", "承認待ち", "Awaiting approval";
        Approved => "approved", "承認済み", "Approved";
        Rejected => "rejected", "否認", "Rejected";
    }
);

code_enum!(
    /// Certifications a supplier may hold.
    Certification, "certification", {
        Iso9001 => "iso9001", "ISO 9001（品質）", "ISO 9001 (quality)";
        Iso14001 => "iso14001", "ISO 14001（環境）", "ISO 14001 (environment)";
        Iso27001 => "iso27001", "ISO/IEC 27001（情報セキュリティ）", "ISO/IEC 27001 (information security)";
        PrivacyMark => "privacy_mark", "プライバシーマーク", "PrivacyMark";
        EcoAction21 => "eco_action21", "エコアクション21", "Eco-Action 21";
        Gap => "gap", "GAP（農業生産工程管理）", "GAP (good agricultural practice)";
        Msc => "msc", "MSC認証（水産）", "MSC (sustainable fisheries)";
        Haccp => "haccp", "HACCP", "HACCP";
    }
);

code_enum!(
    /// The categories a qualification grade is held in.
    GradeCategory, "grade category", {
        Goods => "goods", "物品", "Goods";
        Works => "works", "工事", "Works";
        Services => "services", "役務", "Services";
    }
);

code_enum!(
    /// Qualification grade (等級), A highest.
    Grade, "grade", {
        A => "A", "A等級", "Grade A";
        B => "B", "B等級", "Grade B";
        C => "C", "C等級", "Grade C";
        D => "D", "D等級", "Grade D";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.code()).unwrap(), *k);
        }
        for c in Certification::ALL {
            assert_eq!(c.code().parse::<Certification>().unwrap(), *c);
        }
        assert!(OrgKind::Supplier.is_buyer().eq(&false));
        assert!(OrgKind::PublicBody.is_buyer());
        assert_eq!(Grade::parse("E").unwrap_err().code(), "unknown_code");
    }
}
