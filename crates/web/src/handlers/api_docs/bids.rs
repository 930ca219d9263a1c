//! The sealed-bid operations of the API description: submission with its
//! receipt, 辞退, the stored receipt, the results of the opening, the award
//! and the receipt-signing key.

use http::Method;
use serde_json::{Value, json};

use super::{
    OpDoc, array, codes, date_time, integer, nullable_date_time, nullable_integer, nullable_string,
    object, op, prop, schema_ref, string,
};

/// The bid operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::POST, "/api/v1/tenders/{id}/bids", "submitBid", "bids", "Submit a bid (入札)", "入札（見積・提案の提出）")
            .describe(
                "For suppliers (nominated ones for a selective tender: else 403 not_nominated), from the submission opening until the deadline (else 409 not_accepting_bids); one standing submission per organisation and round (409 bid_exists: withdraw it first to submit again). Quotations and sealed bids take amount (yen, tax excluded, a string or an integer) and lottery_number (three digits, as a string: \"042\"); proposals and needs take proposal and lottery_number. Problems answer 422 validation_failed with field_codes (e.g. amount_not_positive, lottery_number_length). The content is sealed at once: nobody, the buyer and the bidder included, can read it before the opening, and it can be neither viewed nor changed. The answer carries the receipt (受付票) signed with Ed25519 and the salt of the commitment: the salt is given this once and not kept by the server.",
                "受注者が、提出受付開始から提出締切までの間に行えます（期間外は 409 not_accepting_bids）。指名競争等では指名を受けた事業者に限ります（その他は 403 not_nominated）。1組織につき各回1件で、提出済みの場合は 409 bid_exists を返します（再提出は辞退のうえ行います）。見積・入札は amount（円・税抜。文字列または整数）と lottery_number（3桁の数字を文字列で。例：\"042\"）、企画提案・ニーズは proposal と lottery_number を指定します。誤りは 422 validation_failed と field_codes（amount_not_positive、lottery_number_length など）で示します。内容は直ちに封緘され、開札まで発注機関・入札者を含め誰も閲覧・変更できません。応答には Ed25519 で署名した受付票と、コミットメントのソルトを含みます。ソルトはこの応答でのみ提供し、サーバーには保管しません。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("BidRequest")
            .ok(201, "SubmittedBid", "The bid's id and the bidder's receipt, with the salt.", "入札の番号と、ソルトを含む受付票。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/bids/{bid}/withdraw", "withdrawBid", "bids", "Withdraw a bid (辞退)", "入札の辞退")
            .describe(
                "For the bidder's members, until the submission deadline (409 not_accepting_bids afterwards), with a reason. A new bid may be submitted afterwards within the window. 404 no_bid when there is no standing bid.",
                "入札者の組織の方が、提出締切まで辞退理由を付して行えます（締切後は 409 not_accepting_bids）。辞退後も受付期間内であれば改めて提出できます。辞退できる入札がない場合は 404 no_bid を返します。",
            )
            .id_is("The tender's id (id) and the bid's id (bid).", "案件の番号（id）と入札の番号（bid）。")
            .body("WithdrawRequest")
            .ok(200, "WithdrawnBid", "The withdrawn bid.", "辞退した入札。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/bids/{bid}/receipt", "getBidReceipt", "bids", "A bid's receipt (受付票)", "受付票の取得")
            .describe(
                "For the bidder's members only (404 for anyone else): the signed receipt as stored, without the salt (given once, at submission), and the tender's title. Never the amount.",
                "入札者の組織の方のみが取得できます（その他の方には404）。保管している署名付きの受付票（ソルトを除く。ソルトは提出時にのみ提供）と案件名を返します。金額は含みません。",
            )
            .id_is("The bid's id.", "入札の番号（ID）。")
            .ok(200, "BidReceipt", "The receipt.", "受付票。"),
        op(M::GET, "/api/v1/tenders/{id}/results", "getTenderResults", "bids", "Results of the opening (入札結果)", "入札結果の取得")
            .describe(
                "Public from the opening (開札) on; before it 404 results_not_available, and nothing about any bid exists for anyone. Each opened round's record: every bid with its bidder, amount, lottery number, receipt time, salt and commitment and whether they match, validity and the reason, the reserve and minimum prices, the evaluation (scores, ranks) and the electronic lottery's inputs and computation if one was drawn (evaluation.result.outcome.by_lottery); and the award once decided.",
                "開札後は公開情報です。開札前は 404 results_not_available を返し、入札に関する情報はどなたにも提供しません。開札した回ごとの記録（各入札の入札者・金額・くじ番号・受付日時・ソルト・コミットメントとその検証結果・有効／無効とその理由、予定価格、最低制限価格、評価（評価値・順位）、電子くじを行った場合はその入力と計算（evaluation.result.outcome.by_lottery））と、決定後は落札者を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "TenderResults", "The results.", "入札結果。"),
        op(M::POST, "/api/v1/tenders/{id}/award", "awardTender", "bids", "Decide the award (落札者決定)", "落札者決定")
            .describe(
                "For the buyer, after the opening (opened or evaluating; else 409 award_not_possible): confirms the winner the opening determined (409 no_winner when no bid was valid). No body. Participants are notified.",
                "発注機関が、開札後（開札済み・審査中）に行えます（その他は 409 award_not_possible）。開札で定まった落札候補者を落札者として決定します（有効な入札がない場合は 409 no_winner）。本文は不要です。参加者に通知します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "Award", "The award.", "落札者決定の内容。")
            .errors(&["Conflict"]),
        op(M::GET, "/api/v1/receipt-key", "getReceiptKey", "bids", "The receipt-signing public key", "受付票の署名検証用公開鍵")
            .describe(
                "Public. Anyone can check a receipt with it: the signature is Ed25519 over \"musubi-receipt-v1\\n\" followed by the receipt's fields but signature, as compact JSON in their order.",
                "公開情報です。受付票の署名を誰でも検証できます。署名は \"musubi-receipt-v1\\n\" に続けて signature 以外の項目をこの順に空白なしのJSONとしたものに対する Ed25519 署名です。",
            )
            .ok(200, "ReceiptKey", "The key.", "公開鍵。"),
    ]
}

/// The fields of a receipt (受付票), as signed.
fn receipt_props() -> Vec<(&'static str, Value)> {
    vec![
        (
            "version",
            prop(integer(), "Receipt format (1).", "受付票の形式（1）。"),
        ),
        (
            "tender_id",
            prop(integer(), "The tender's id.", "案件の番号（ID）。"),
        ),
        (
            "round",
            prop(
                integer(),
                "The round (1; 2… for a re-bid).",
                "回（1。再度入札は2以降）。",
            ),
        ),
        (
            "bidder_org_id",
            prop(
                integer(),
                "The bidder organisation.",
                "入札者の組織の番号。",
            ),
        ),
        (
            "bidder_name",
            prop(
                string(),
                "The bidder's name at submission.",
                "提出時の入札者名。",
            ),
        ),
        (
            "received_at",
            prop(
                date_time(),
                "When the server received it: RFC 3339, UTC, six fractional digits.",
                "受付日時（RFC 3339、UTC、小数点以下6桁）。",
            ),
        ),
        (
            "commitment",
            prop(
                string(),
                "SHA-256 commitment to the bid and the salt (64 hex digits).",
                "入札内容とソルトのコミットメント（SHA-256、16進数64桁）。",
            ),
        ),
        (
            "key_id",
            prop(
                string(),
                "The signing key's id (16 hex digits).",
                "署名鍵のID（16進数16桁）。",
            ),
        ),
        (
            "signature",
            prop(
                string(),
                "Ed25519 signature, standard base64.",
                "Ed25519 署名（Base64）。",
            ),
        ),
    ]
}

const RECEIPT_REQUIRED: &[&str] = &[
    "version",
    "tender_id",
    "round",
    "bidder_org_id",
    "bidder_name",
    "received_at",
    "commitment",
    "key_id",
    "signature",
];

/// The bid schemas of `components/schemas`.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    out.push((
        "BidRequest",
        object(
            &["lottery_number"],
            vec![
                (
                    "amount",
                    prop(
                        json!({ "type": ["string", "integer"] }),
                        "The amount in yen, tax excluded (quotations and sealed bids).",
                        "金額（円・税抜）。見積・入札の場合。",
                    ),
                ),
                (
                    "lottery_number",
                    prop(
                        string(),
                        "くじ番号: three digits, 000 to 999, as a string.",
                        "くじ番号（000〜999の3桁の数字。文字列）。",
                    ),
                ),
                (
                    "proposal",
                    prop(
                        string(),
                        "The proposal text (proposals and needs), up to 20,000 characters.",
                        "提案内容（企画提案・ニーズの場合。20,000文字以内）。",
                    ),
                ),
            ],
        ),
    ));
    out.push(("Receipt", object(RECEIPT_REQUIRED, receipt_props())));
    let mut with_salt = receipt_props();
    with_salt.push((
        "salt",
        prop(
            string(),
            "The commitment's salt (64 hex digits). Not signed, not kept by the server: keep it secret until the opening.",
            "コミットメントのソルト（16進数64桁）。署名の対象外で、サーバーには保管しません。開札まで秘密にしてください。",
        ),
    ));
    let mut required = RECEIPT_REQUIRED.to_vec();
    required.push("salt");
    out.push(("BidderReceipt", object(&required, with_salt)));
    out.push((
        "SubmittedBid",
        object(
            &["bid_id", "receipt"],
            vec![
                (
                    "bid_id",
                    prop(integer(), "The bid's id.", "入札の番号（ID）。"),
                ),
                (
                    "receipt",
                    prop(
                        schema_ref("BidderReceipt"),
                        "The bidder's receipt, with the salt.",
                        "ソルトを含む受付票。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "WithdrawRequest",
        object(
            &["reason"],
            vec![(
                "reason",
                prop(
                    string(),
                    "Reason for the withdrawal (辞退理由), up to 1000 characters.",
                    "辞退理由（1000文字以内）。",
                ),
            )],
        ),
    ));
    out.push((
        "WithdrawnBid",
        object(
            &["bid_id", "state"],
            vec![
                (
                    "bid_id",
                    prop(integer(), "The bid's id.", "入札の番号（ID）。"),
                ),
                (
                    "state",
                    prop(codes(["withdrawn"]), "withdrawn.", "辞退済み。"),
                ),
            ],
        ),
    ));
    out.push((
        "BidReceipt",
        object(
            &[
                "bid_id",
                "tender_id",
                "tender_title",
                "round",
                "state",
                "received_at",
                "receipt",
            ],
            vec![
                (
                    "bid_id",
                    prop(integer(), "The bid's id.", "入札の番号（ID）。"),
                ),
                (
                    "tender_id",
                    prop(integer(), "The tender's id.", "案件の番号（ID）。"),
                ),
                (
                    "tender_title",
                    prop(string(), "The tender's title.", "案件名。"),
                ),
                ("round", prop(integer(), "The round.", "回。")),
                (
                    "state",
                    prop(
                        codes(["submitted", "withdrawn"]),
                        "submitted, or withdrawn (辞退).",
                        "提出済み（submitted）または辞退済み（withdrawn）。",
                    ),
                ),
                (
                    "received_at",
                    prop(date_time(), "Received at.", "受付日時。"),
                ),
                (
                    "withdrawn_at",
                    prop(nullable_date_time(), "Withdrawn at.", "辞退日時。"),
                ),
                (
                    "receipt",
                    prop(
                        schema_ref("Receipt"),
                        "The signed receipt as stored (no salt).",
                        "保管している署名付きの受付票（ソルトを除く）。",
                    ),
                ),
            ],
        ),
    ));
    let loose = |en: &str, ja: &str| prop(json!({ "type": ["object", "null"] }), en, ja);
    out.push((
        "OpeningRecord",
        object(
            &["version", "tender_id", "round", "opened_at", "bids", "winner"],
            vec![
                ("version", prop(integer(), "Record format (1).", "記録の形式（1）。")),
                ("tender_id", prop(integer(), "The tender.", "案件の番号（ID）。")),
                ("round", prop(integer(), "The round.", "回。")),
                ("opened_at", prop(date_time(), "Opened at (開札日時).", "開札日時。")),
                ("kind", prop(string(), "The tender's kind.", "案件種別。")),
                ("award_method", prop(string(), "The award method.", "落札者決定方式。")),
                (
                    "reserve_price",
                    prop(nullable_integer(), "予定価格 (yen, tax excluded).", "予定価格（円・税抜）。"),
                ),
                (
                    "minimum_price",
                    prop(nullable_integer(), "最低制限価格 (yen, tax excluded).", "最低制限価格（円・税抜）。"),
                ),
                ("price_points", prop(nullable_integer(), "価格点 (加算方式).", "価格点（加算方式）。")),
                ("base_points", prop(nullable_integer(), "基礎点 (除算方式).", "基礎点（除算方式）。")),
                (
                    "scores_locked_at",
                    prop(nullable_date_time(), "When the technical scores were locked.", "技術評価点の確定日時。"),
                ),
                (
                    "bids",
                    prop(
                        array(json!({ "type": "object" })),
                        "Every bid in order of receipt: bid_id, bidder_org_id, bidder_name, received_at, state, commitment; withdrawn ones their withdraw_reason; opened ones amount, lottery_number, proposal, proposal_sha256, salt, canonical, commitment_verified, technical_points; invalid ones valid: false and invalid_reason (unreadable, commitment_mismatch).",
                        "受付順の各入札（bid_id、bidder_org_id、bidder_name、received_at、state、commitment。辞退は withdraw_reason、開封したものは amount、lottery_number、proposal、proposal_sha256、salt、canonical、commitment_verified、technical_points、無効は valid: false と invalid_reason（unreadable、commitment_mismatch））。",
                    ),
                ),
                (
                    "evaluation",
                    loose(
                        "input (terms and revealed bids) and result (each bid's status, rank, score or exclusion reason; outcome with by_lottery: entries, sum, count, winner_index, winner_bid_id).",
                        "input（条件と開封した入札）と result（各入札の状態・順位・評価値または除外理由、outcome と電子くじ by_lottery：entries・sum・count・winner_index・winner_bid_id）。",
                    ),
                ),
                (
                    "evaluation_error",
                    prop(nullable_string(), "Why the bids could not be evaluated.", "評価できなかった理由のコード。"),
                ),
                (
                    "winner",
                    loose(
                        "The winning bid: bid_id, bidder_org_id, bidder_name, amount, amount_tax_inclusive; null: 不調.",
                        "落札候補（bid_id、bidder_org_id、bidder_name、amount、amount_tax_inclusive）。不調の場合は null。",
                    ),
                ),
                (
                    "receipt_public_key",
                    prop(nullable_string(), "The receipt-signing public key (base64).", "受付票の署名検証用公開鍵（Base64）。"),
                ),
            ],
        ),
    ));
    out.push((
        "Award",
        object(
            &[
                "bid_id",
                "round",
                "bidder_org_id",
                "bidder_name",
                "amount_tax_exclusive",
                "amount_tax_inclusive",
                "decided_at",
            ],
            vec![
                (
                    "bid_id",
                    prop(integer(), "The winning bid.", "落札した入札の番号。"),
                ),
                ("round", prop(integer(), "The round.", "回。")),
                (
                    "bidder_org_id",
                    prop(integer(), "The winner.", "落札者の組織の番号。"),
                ),
                (
                    "bidder_name",
                    prop(string(), "The winner's name.", "落札者名。"),
                ),
                (
                    "amount_tax_exclusive",
                    prop(
                        nullable_integer(),
                        "落札金額, tax excluded (yen).",
                        "落札金額（円・税抜）。",
                    ),
                ),
                (
                    "amount_tax_inclusive",
                    prop(
                        nullable_integer(),
                        "落札金額, tax included (yen).",
                        "落札金額（円・税込）。",
                    ),
                ),
                ("decided_at", prop(date_time(), "Decided at.", "決定日時。")),
            ],
        ),
    ));
    out.push((
        "TenderResults",
        object(
            &["tender_id", "status", "openings", "award"],
            vec![
                (
                    "tender_id",
                    prop(integer(), "The tender.", "案件の番号（ID）。"),
                ),
                (
                    "status",
                    prop(string(), "The tender's status.", "案件の状態。"),
                ),
                (
                    "openings",
                    prop(
                        array(schema_ref("OpeningRecord")),
                        "Every opened round's record, in order.",
                        "開札した各回の記録。",
                    ),
                ),
                (
                    "award",
                    prop(
                        json!({ "anyOf": [schema_ref("Award"), { "type": "null" }] }),
                        "The award, once decided.",
                        "落札者決定の内容（決定後）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "ReceiptKey",
        object(
            &["algorithm", "public_key", "key_id"],
            vec![
                (
                    "algorithm",
                    prop(codes(["Ed25519"]), "Ed25519.", "署名方式（Ed25519）。"),
                ),
                (
                    "public_key",
                    prop(
                        string(),
                        "The 32-byte public key, standard base64.",
                        "公開鍵（32バイト、Base64）。",
                    ),
                ),
                (
                    "key_id",
                    prop(
                        string(),
                        "Its id (16 hex digits), as in receipts.",
                        "鍵ID（16進数16桁。受付票の key_id）。",
                    ),
                ),
            ],
        ),
    ));
    out
}
