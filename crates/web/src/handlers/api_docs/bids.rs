//! The sealed-bid operations of the API description: submission with its
//! attachments and receipt, 辞退, the stored receipt, the results of the
//! opening and the attachments, the buyer's technical scores, the award,
//! 再度入札 and the receipt-signing key.

use http::Method;
use serde_json::{Value, json};

use super::{
    OpDoc, array, boolean, codes, date_time, integer, nullable_date_time, nullable_integer,
    nullable_string, object, op, prop, schema_ref, string,
};

/// The bid operations (see [`super::operations`]).
pub(super) fn operations() -> Vec<OpDoc> {
    use Method as M;
    vec![
        op(M::POST, "/api/v1/tenders/{id}/bids", "submitBid", "bids", "Submit a bid (入札)", "入札（見積・提案の提出）")
            .describe(
                "For suppliers (nominated ones for a selective tender: else 403 not_nominated), from the submission opening until the deadline (else 409 not_accepting_bids); one standing submission per organisation and round (409 bid_exists: withdraw it first to submit again). Quotations and sealed bids take amount (yen, tax excluded, a string or an integer) and lottery_number (three digits, as a string: \"042\"); proposals and needs take proposal and lottery_number. Problems answer 422 validation_failed with field_codes (e.g. amount_not_positive, lottery_number_length). Files go as multipart/form-data with the same fields and the files in attachments: one 内訳書 for quotations and sealed bids, up to 5 documents for proposals, 20 MB each and 40 MB in all (413 attachment_too_large; 422 validation_failed with field_codes.attachments: too_many_attachments, attachment_type_refused, attachment_content_mismatch, attachment_empty). In a 再度入札 (round 2…) only the bidders the last round allows may bid (403 not_rebid_eligible). The content and the files are sealed at once: nobody, the buyer and the bidder included, can read them before the opening, and they can be neither viewed nor changed; each file's SHA-256 is in the commitment. The answer carries the receipt (受付票) signed with Ed25519, the salt of the commitment and the files' names and digests: they are given this once and not kept readable by the server.",
                "受注者が、提出受付開始から提出締切までの間に行えます（期間外は 409 not_accepting_bids）。指名競争等では指名を受けた事業者に限ります（その他は 403 not_nominated）。1組織につき各回1件で、提出済みの場合は 409 bid_exists を返します（再提出は辞退のうえ行います）。見積・入札は amount（円・税抜。文字列または整数）と lottery_number（3桁の数字を文字列で。例：\"042\"）、企画提案・ニーズは proposal と lottery_number を指定します。誤りは 422 validation_failed と field_codes（amount_not_positive、lottery_number_length など）で示します。ファイルを添付する場合は、同じ項目と attachments（ファイル）を multipart/form-data で送信します。見積・入札は内訳書1ファイル、企画提案は5ファイルまで、1ファイル20 MB・合計40 MBまでです（超える場合は 413 attachment_too_large。誤りは 422 validation_failed と field_codes.attachments：too_many_attachments、attachment_type_refused、attachment_content_mismatch、attachment_empty）。再度入札（第2回以降）には前回の入札で認められた事業者のみ参加できます（その他は 403 not_rebid_eligible）。内容と添付ファイルは直ちに封緘され、開札まで発注機関・入札者を含め誰も閲覧・変更できません。各ファイルの SHA-256 はコミットメントに含まれます。応答には Ed25519 で署名した受付票、コミットメントのソルト、添付ファイルの名称とハッシュ値を含みます。これらはこの応答でのみ提供します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("BidRequest")
            .ok(201, "SubmittedBid", "The bid's id, the bidder's receipt with the salt, and the attached files.", "入札の番号、ソルトを含む受付票、添付ファイル。")
            .errors(&["Conflict", "AttachmentTooLarge"]),
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
                "For the bidder's members only (404 for anyone else): the signed receipt as stored, without the salt (given once, at submission), the tender's title, and in transparency the proof that the transparency log holds its commitment (ReceiptProof: log index, inclusion proof, signed tree head). Never the amount.",
                "入札者の組織の方のみが取得できます（その他の方には404）。保管している署名付きの受付票（ソルトを除く。ソルトは提出時にのみ提供）と案件名、透明性ログにコミットメントが登録されていることの証明（transparency：ログ登録番号、包含証明、署名付きツリーヘッド）を返します。金額は含みません。",
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
        op(M::GET, "/api/v1/tenders/{id}/bids/{bid}/attachments/{index}", "downloadBidAttachment", "bids", "Download a bid's attachment", "入札の添付ファイルのダウンロード")
            .describe(
                "After the bid's round was opened (404 before, for everyone, the bidder included): file index (1, 2, … as listed in the opening record) of the bid, decrypted and checked against the SHA-256 it committed to. A quotation's or sealed bid's 内訳書 is public, as the amounts are; a proposal's documents are for the buyer and the bidder only (403 attachment_not_public).",
                "入札の回の開札後に取得できます（開札前はどなたにも、入札者にも404）。開札記録の順番（1、2、…）で指定した添付ファイルを復号し、コミットメントの SHA-256 と照合して返します。見積・入札の内訳書は金額と同様に公開します。企画提案の添付書類は発注機関と提出者のみが取得できます（その他は 403 attachment_not_public）。",
            )
            .id_is("The tender (id), the bid (bid) and the file's number in the bid (index, from 1).", "案件の番号（id）、入札の番号（bid）、添付ファイルの順番（index、1から）。")
            .file_response("The file.", "ファイル。"),
        op(M::GET, "/api/v1/tenders/{id}/scoring", "getScoring", "bids", "Technical scores (技術評価点)", "技術評価点の取得")
            .describe(
                "For the buyer of a best-value (総合評価) or proposal tender (409 scoring_not_used for lowest price): the points, the scores of the participants (best value: those who applied and those scored) or of the opened proposals, and whether they can still change.",
                "総合評価・企画提案の案件の発注機関が参照できます（最低価格の案件は 409 scoring_not_used）。配点、参加者（総合評価：参加表明した事業者と評価済みの事業者）または開封した提案の評価点、変更の可否を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "Scoring", "The scoring set-up.", "評価点の状況。"),
        op(M::PUT, "/api/v1/tenders/{id}/scoring", "saveScoring", "bids", "Enter technical scores", "技術評価点の入力")
            .describe(
                "For the buyer. Best value: before the opening (409 scoring_closed afterwards), the price_points (加算方式) or base_points (除算方式), whole numbers 0–10000, and scores of any suppliers. Proposals: after the opening, during evaluation (409 scoring_after_opening before), scores of the opened proposals' bidders. Technical points are decimals with at most two places (\"45.5\"); fields left out keep their value. Every value is checked before anything is saved (422 validation_failed: points_invalid, points_out_of_range, technical_points_*, bidder_unknown, not_a_bidder). 409 scores_locked once locked.",
                "発注機関が行えます。総合評価は開札前に（開札後は 409 scoring_closed）、価格点（price_points、加算方式）または基礎点（base_points、除算方式）を0〜10000の整数で、また事業者ごとの技術評価点を入力します。企画提案は開札後の審査中に（開札前は 409 scoring_after_opening）、開封した提案の提出者の評価点を入力します。評価点は小数点以下2桁までの数値（\"45.5\"）です。省略した項目は変更しません。すべて確認してから保存します（422 validation_failed：points_invalid、points_out_of_range、technical_points_*、bidder_unknown、not_a_bidder）。確定後は 409 scores_locked を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("ScoringRequest")
            .ok(200, "Scoring", "The scoring set-up as saved.", "保存後の評価点の状況。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/scoring/lock", "lockScoring", "bids", "Lock the technical scores (評価の確定)", "評価点の確定")
            .describe(
                "For the buyer; no body. Best value: before the opening, with the points the method needs (422 evaluation_price_points_required, evaluation_base_points_required, …) and at least one score (422 no_scores); the opening evaluates only locked scores, and without them the round cannot be evaluated (不調). Proposals: once every opened proposal is scored (422 scores_missing); the ranking is then in the results, and with no valid proposal the tender becomes unsuccessful at once. 409 scores_locked if already locked, scoring_closed if the tender moved on.",
                "発注機関が行えます。本文は不要です。総合評価は開札前に、方式に必要な配点（422 evaluation_price_points_required、evaluation_base_points_required など）と1件以上の技術評価点（422 no_scores）がある場合に確定できます。開札では確定した技術評価点のみで評価し、未確定の場合は評価できず不調となります。企画提案は開封したすべての提案の評価点を入力後に確定でき（422 scores_missing）、順位が入札結果に示されます。有効な提案がない場合は直ちに不調となります。確定済みは 409 scores_locked、状態が変わった場合は 409 scoring_closed を返します。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .ok(200, "Scoring", "The locked set-up.", "確定後の評価点の状況。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/rebid", "startRebid", "bids", "Hold a rebid (再度入札)", "再度入札の実施")
            .describe(
                "For the buyer of an unsuccessful (不調) tender (else 409 rebid_not_possible): the next round, with a new submission window and opening time (Japan time 2026-12-01T17:00 or RFC 3339; submission_opens_at empty or left out: now). Only the bidders of the last round whose bid was not withdrawn, invalid or disqualified may bid (a price above the reserve price is no fault); they are notified. Refused for proposals (409 rebid_not_for_proposals), best value whose scores were never locked (409 rebid_scores_not_locked) and when nobody may bid (409 no_rebid_bidders). Dates are checked like a schedule (422 validation_failed: datetime_invalid, schedule_in_past, schedule_out_of_order).",
                "不調となった案件の発注機関が行えます（その他は 409 rebid_not_possible）。新しい提出受付期間と開札日時（日本時間 2026-12-01T17:00 または RFC 3339。submission_opens_at を省略・空欄にすると直ちに受付開始）で次の回を実施します。参加できるのは、前回の入札に参加し、辞退・無効・失格とならなかった事業者（予定価格超過を含む）で、これらの事業者に通知します。企画提案（409 rebid_not_for_proposals）、技術評価点が確定されなかった総合評価（409 rebid_scores_not_locked）、参加できる事業者がいない場合（409 no_rebid_bidders）は行えません。日時は日程として確認します（422 validation_failed）。",
            )
            .id_is("The tender's id.", "案件の番号（ID）。")
            .body("RebidRequest")
            .ok(200, "RebidStarted", "The new round.", "開始した回。")
            .errors(&["Conflict"]),
        op(M::POST, "/api/v1/tenders/{id}/award", "awardTender", "bids", "Decide the award (落札者決定)", "落札者決定")
            .describe(
                "For the buyer, after the opening (opened or evaluating; else 409 award_not_possible): confirms the winner the opening — or, for proposals, the locked scores (409 scores_not_locked before) — determined (409 no_winner when no bid was valid). No body. Participants are notified.",
                "発注機関が、開札後（開札済み・審査中）に行えます（その他は 409 award_not_possible）。開札で（企画提案は確定した評価点で。確定前は 409 scores_not_locked）定まった落札候補者を落札者として決定します（有効な入札がない場合は 409 no_winner）。本文は不要です。参加者に通知します。",
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
    with_salt.push(super::transparency::receipt_field());
    let mut required = RECEIPT_REQUIRED.to_vec();
    required.push("salt");
    out.push(("BidderReceipt", object(&required, with_salt)));
    out.push((
        "BidAttachment",
        object(
            &["index", "name", "content_type", "size", "sha256"],
            vec![
                (
                    "index",
                    prop(
                        integer(),
                        "1, 2, … in upload order (the order of the commitment).",
                        "添付の順番（1から。コミットメントの順）。",
                    ),
                ),
                ("name", prop(string(), "The file name.", "ファイル名。")),
                (
                    "content_type",
                    prop(string(), "The file's type.", "ファイル形式（MIME）。"),
                ),
                ("size", prop(integer(), "Bytes.", "サイズ（バイト）。")),
                (
                    "sha256",
                    prop(
                        string(),
                        "SHA-256 of the file (64 hex digits), as committed.",
                        "ファイルの SHA-256（16進数64桁。コミットメントの対象）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "SubmittedBid",
        object(
            &["bid_id", "receipt", "attachments"],
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
                (
                    "attachments",
                    prop(
                        array(schema_ref("BidAttachment")),
                        "The attached files (sealed until the opening; listed to the bidder here only).",
                        "添付ファイル（開札まで封緘。一覧はこの応答でのみ提供）。",
                    ),
                ),
            ],
        ),
    ));
    let score = object(
        &["bidder_org_id", "technical_points"],
        vec![
            (
                "bidder_org_id",
                prop(
                    integer(),
                    "The supplier scored.",
                    "評価する事業者の組織番号。",
                ),
            ),
            (
                "technical_points",
                prop(
                    json!({ "type": ["string", "number", "null"] }),
                    "技術評価点: at most two decimal places (\"45.5\"); empty or null leaves it as it is.",
                    "技術評価点（小数点以下2桁まで。例：\"45.5\"）。空欄・null の場合は変更しません。",
                ),
            ),
        ],
    );
    let points = |en: &'static str, ja: &'static str| {
        prop(json!({ "type": ["string", "integer", "null"] }), en, ja)
    };
    out.push((
        "ScoringRequest",
        object(
            &[],
            vec![
                (
                    "price_points",
                    points(
                        "価格点 (加算方式), a whole number 0–10000.",
                        "価格点（加算方式。0〜10000の整数）。",
                    ),
                ),
                (
                    "base_points",
                    points(
                        "基礎点 (除算方式), a whole number 0–10000.",
                        "基礎点（除算方式。0〜10000の整数）。",
                    ),
                ),
                (
                    "scores",
                    prop(
                        array(score),
                        "Scores to enter or replace.",
                        "入力・変更する評価点。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "Scoring",
        object(
            &[
                "tender_id",
                "status",
                "award_method",
                "phase",
                "editable",
                "scores",
            ],
            vec![
                ("tender_id", prop(integer(), "The tender.", "案件の番号（ID）。")),
                ("status", prop(string(), "The tender's status.", "案件の状態。")),
                ("award_method", prop(string(), "The award method.", "落札者決定方式。")),
                (
                    "phase",
                    prop(
                        codes(["before_opening", "after_opening"]),
                        "before_opening: best value, scored before the opening; after_opening: proposals, scored after it.",
                        "before_opening：総合評価（開札前に評価）、after_opening：企画提案（開札後に評価）。",
                    ),
                ),
                ("price_points", prop(nullable_integer(), "価格点 (加算方式).", "価格点（加算方式）。")),
                ("base_points", prop(nullable_integer(), "基礎点 (除算方式).", "基礎点（除算方式）。")),
                ("locked_at", prop(nullable_date_time(), "When the scores were locked.", "確定日時。")),
                (
                    "editable",
                    prop(boolean(), "Whether scores can be entered and locked now.", "現在、入力・確定できるか。"),
                ),
                (
                    "closed_reason",
                    prop(
                        json!({ "type": ["object", "null"] }),
                        "Why not, as {\"ja\", \"en\"}.",
                        "入力・確定できない理由（{\"ja\", \"en\"}）。",
                    ),
                ),
                (
                    "scores",
                    prop(
                        array(json!({ "type": "object" })),
                        "Each participant (best value) or opened proposal: bidder_org_id, bidder_name, technical_points (null: not yet), entered_at, bid_id (proposals).",
                        "参加者（総合評価）または開封した提案ごとの bidder_org_id、bidder_name、technical_points（未入力は null）、entered_at、bid_id（企画提案）。",
                    ),
                ),
            ],
        ),
    ));
    out.push((
        "RebidRequest",
        object(
            &["submission_closes_at", "opening_at"],
            vec![
                (
                    "submission_opens_at",
                    prop(
                        string(),
                        "Submissions open (Japan time 2026-12-01T17:00 or RFC 3339); empty: now.",
                        "提出受付開始日時（日本時間 2026-12-01T17:00 または RFC 3339）。空欄の場合は直ちに。",
                    ),
                ),
                (
                    "submission_closes_at",
                    prop(string(), "The submission deadline.", "提出締切日時。"),
                ),
                ("opening_at", prop(string(), "The opening (開札).", "開札日時。")),
            ],
        ),
    ));
    out.push((
        "RebidStarted",
        object(
            &[
                "tender_id",
                "status",
                "round",
                "submission_opens_at",
                "submission_closes_at",
                "opening_at",
                "bidders",
            ],
            vec![
                (
                    "tender_id",
                    prop(integer(), "The tender.", "案件の番号（ID）。"),
                ),
                (
                    "status",
                    prop(codes(["tendering"]), "tendering.", "受付中。"),
                ),
                (
                    "round",
                    prop(integer(), "The new round (2, 3, …).", "新しい回（2以降）。"),
                ),
                (
                    "submission_opens_at",
                    prop(date_time(), "Submissions open.", "提出受付開始日時。"),
                ),
                (
                    "submission_closes_at",
                    prop(date_time(), "The deadline.", "提出締切日時。"),
                ),
                (
                    "opening_at",
                    prop(date_time(), "The opening.", "開札日時。"),
                ),
                (
                    "bidders",
                    prop(
                        array(json!({ "type": "object" })),
                        "Who may bid: bidder_org_id, bidder_name.",
                        "参加できる事業者（bidder_org_id、bidder_name）。",
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
                super::transparency::receipt_field(),
            ],
        ),
    ));
    let loose = |en: &str, ja: &str| prop(json!({ "type": ["object", "null"] }), en, ja);
    out.push((
        "OpeningRecord",
        object(
            &["version", "tender_id", "round", "opened_at", "bids", "winner"],
            vec![
                ("version", prop(integer(), "Record format (2; records of version 1 lack attachments, evaluation_pending, evaluation_error_message and submission_closes_at).", "記録の形式（2。形式1の記録には attachments、evaluation_pending、evaluation_error_message、submission_closes_at がありません）。")),
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
                        "Every bid in order of receipt: bid_id, bidder_org_id, bidder_name, received_at, state, commitment; withdrawn ones their withdraw_reason; opened ones amount, lottery_number, proposal, proposal_sha256, attachments (index, name, content_type, size, sha256), salt, canonical, commitment_verified, technical_points; invalid ones valid: false and invalid_reason (unreadable, commitment_mismatch).",
                        "受付順の各入札（bid_id、bidder_org_id、bidder_name、received_at、state、commitment。辞退は withdraw_reason、開封したものは amount、lottery_number、proposal、proposal_sha256、attachments（index、name、content_type、size、sha256）、salt、canonical、commitment_verified、technical_points、無効は valid: false と invalid_reason（unreadable、commitment_mismatch））。",
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
                    "evaluation_pending",
                    prop(boolean(), "Proposals opened and waiting for their locked scores (審査中); the evaluation follows once they are locked.", "開封した提案の評価点の確定待ち（審査中）。確定後に評価結果が示されます。"),
                ),
                (
                    "evaluation_error",
                    prop(nullable_string(), "Why the bids could not be evaluated (e.g. technical_scores_not_locked).", "評価できなかった理由のコード（technical_scores_not_locked など）。"),
                ),
                (
                    "evaluation_error_message",
                    loose("The same in words: {\"ja\", \"en\"}.", "同じ内容の説明（{\"ja\", \"en\"}）。"),
                ),
                (
                    "submission_closes_at",
                    prop(date_time(), "The round's submission deadline.", "その回の提出締切日時。"),
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
