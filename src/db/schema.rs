//! The hand-kept, portable diesel schema shared by the SQLite and PostgreSQL backends.
//!
//! Kept in step with `migrations/{sqlite,postgres}`; only SQL types that both backends share
//! (and that `MultiConnection` supports) appear here.

diesel::table! {
    unions (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        level -> Integer,
        code -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        path -> Text,
        cluster -> Nullable<Text>,
        member_count -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        head_user_id -> Nullable<BigInt>,
        ended_on -> Nullable<Date>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        member_code -> Nullable<Text>,
        full_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        union_id -> BigInt,
        password_hash -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_folded -> Text,
    }
}

diesel::table! {
    programs (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        description -> Text,
        owner_union_id -> BigInt,
        applied_from -> Nullable<Date>,
        applied_to -> Nullable<Date>,
        target_count -> Nullable<BigInt>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        score_aggregation -> Text,
    }
}

diesel::table! {
    phases (id) {
        id -> BigInt,
        program_id -> BigInt,
        name -> Text,
        position -> Integer,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
    }
}

diesel::table! {
    fields (id) {
        id -> BigInt,
        program_id -> BigInt,
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    role_grants (id) {
        id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        union_id -> BigInt,
        program_id -> Nullable<BigInt>,
        granted_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    quotas (id) {
        id -> BigInt,
        program_id -> BigInt,
        phase_id -> Nullable<BigInt>,
        union_id -> BigInt,
        kind -> Text,
        value -> BigInt,
        members_as_of -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        member_basis -> Nullable<BigInt>,
    }
}

diesel::table! {
    initiatives (id) {
        id -> BigInt,
        program_id -> BigInt,
        phase_id -> Nullable<BigInt>,
        field_id -> Nullable<BigInt>,
        union_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        current_situation -> Text,
        solution -> Text,
        scope -> Text,
        benefits -> Text,
        first_applied_on -> Nullable<Date>,
        estimated_benefit_vnd -> Nullable<BigInt>,
        confidential -> Bool,
        status -> Text,
        version -> Integer,
        receipt_no -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    initiative_authors (initiative_id, user_id) {
        initiative_id -> BigInt,
        user_id -> BigInt,
        share_percent -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        initiative_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        entity_type -> Text,
        entity_id -> BigInt,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        comment -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        event_type -> Text,
        aggregate_type -> Text,
        aggregate_id -> BigInt,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    duplicate_candidates (initiative_id, candidate_id) {
        initiative_id -> BigInt,
        candidate_id -> BigInt,
        score -> Double,
        verdict -> Text,
        detected_at -> Timestamp,
    }
}

diesel::table! {
    review_stages (id) {
        id -> BigInt,
        program_id -> BigInt,
        position -> Integer,
        name -> Text,
        union_level -> Integer,
        reviews_required -> Integer,
        blind_scoring -> Bool,
        chair_publishes -> Bool,
        auto_assign -> Bool,
        due_days -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    committees (id) {
        id -> BigInt,
        program_id -> BigInt,
        stage_id -> BigInt,
        union_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    committee_members (committee_id, user_id) {
        committee_id -> BigInt,
        user_id -> BigInt,
        is_chair -> Bool,
        added_at -> Timestamp,
    }
}

diesel::table! {
    rubric_criteria (id) {
        id -> BigInt,
        program_id -> BigInt,
        position -> Integer,
        code -> Text,
        name -> Text,
        description -> Text,
        max_score -> Integer,
        weight -> Double,
        bands -> Text,
    }
}

diesel::table! {
    review_cases (id) {
        id -> BigInt,
        initiative_id -> BigInt,
        program_id -> BigInt,
        stage_id -> BigInt,
        committee_id -> Nullable<BigInt>,
        round -> Integer,
        state -> Text,
        entered_at -> Timestamp,
        due_at -> Timestamp,
        decision -> Nullable<Text>,
        reason_code -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        duplicate_of_id -> Nullable<BigInt>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        published_by -> Nullable<BigInt>,
        published_at -> Nullable<Timestamp>,
        live_reviewers -> Integer,
    }
}

diesel::table! {
    union_counts (program_id, union_id, phase_id) {
        program_id -> BigInt,
        union_id -> BigInt,
        phase_id -> BigInt,
        submitted -> Integer,
        under_review -> Integer,
        returned -> Integer,
        approved -> Integer,
        rejected -> Integer,
        duplicate -> Integer,
        revoked -> Integer,
    }
}

diesel::table! {
    union_days (program_id, union_id, phase_id, day) {
        program_id -> BigInt,
        union_id -> BigInt,
        phase_id -> BigInt,
        day -> Date,
        submitted -> Integer,
        approved -> Integer,
        rejected -> Integer,
        duplicate -> Integer,
        revoked -> Integer,
    }
}

diesel::table! {
    union_fields (program_id, union_id, phase_id, field_id) {
        program_id -> BigInt,
        union_id -> BigInt,
        phase_id -> BigInt,
        field_id -> BigInt,
        submitted -> Integer,
        approved -> Integer,
    }
}

diesel::table! {
    review_loads (committee_id, reviewer_id) {
        committee_id -> BigInt,
        reviewer_id -> BigInt,
        assigned -> Integer,
        scored -> Integer,
    }
}

diesel::table! {
    review_assignments (id) {
        id -> BigInt,
        case_id -> BigInt,
        reviewer_id -> BigInt,
        assigned_by -> Nullable<BigInt>,
        assigned_at -> Timestamp,
        state -> Text,
        scores -> Text,
        total -> Nullable<Double>,
        recommendation -> Nullable<Text>,
        comment -> Nullable<Text>,
        scored_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_conflicts (initiative_id, user_id) {
        initiative_id -> BigInt,
        user_id -> BigInt,
        reason_code -> Text,
        note -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    initiative_versions (initiative_id, round) {
        initiative_id -> BigInt,
        round -> Integer,
        title -> Text,
        content -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    awards (initiative_id) {
        initiative_id -> BigInt,
        level -> Text,
        note -> Nullable<Text>,
        awarded_by -> Nullable<BigInt>,
        awarded_at -> Timestamp,
    }
}

diesel::table! {
    coauthor_invitations (id) {
        id -> BigInt,
        initiative_id -> BigInt,
        user_id -> BigInt,
        invited_as -> Text,
        share_percent -> Integer,
        status -> Text,
        invited_by -> BigInt,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> unions (union_id));
diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(phases -> programs (program_id));
diesel::joinable!(fields -> programs (program_id));
diesel::joinable!(initiatives -> programs (program_id));
diesel::joinable!(initiative_authors -> initiatives (initiative_id));
diesel::joinable!(attachments -> initiatives (initiative_id));
diesel::joinable!(review_cases -> initiatives (initiative_id));
diesel::joinable!(review_assignments -> review_cases (case_id));
diesel::joinable!(committee_members -> committees (committee_id));
diesel::joinable!(committees -> review_stages (stage_id));

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        recipient -> Text,
        recipient_name -> Text,
        subject -> Text,
        payload -> Text,
        dedupe_key -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_preferences (user_id) {
        user_id -> BigInt,
        digests -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        client_address -> Text,
        user_agent -> Text,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reorganisations (id) {
        id -> BigInt,
        decision_no -> Text,
        decided_on -> Nullable<Date>,
        issuer_union_id -> BigInt,
        effective_on -> Date,
        note -> Text,
        operations -> Text,
        report -> Text,
        reverts_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        undo -> Text,
    }
}

diesel::table! {
    union_versions (id) {
        id -> BigInt,
        union_id -> BigInt,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        parent_id -> Nullable<BigInt>,
        level -> Integer,
        code -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        cluster -> Nullable<Text>,
        active -> Bool,
        reorganisation_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    union_successions (reorganisation_id, predecessor_id, successor_id) {
        reorganisation_id -> BigInt,
        predecessor_id -> BigInt,
        successor_id -> BigInt,
        carries -> Bool,
    }
}

diesel::table! {
    quota_history (id) {
        id -> BigInt,
        program_id -> BigInt,
        phase_id -> Nullable<BigInt>,
        union_id -> BigInt,
        kind -> Nullable<Text>,
        value -> Nullable<BigInt>,
        members_as_of -> Nullable<Date>,
        member_basis -> Nullable<BigInt>,
        holds_from -> Date,
        reason -> Text,
        reorganisation_id -> Nullable<BigInt>,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(idempotency_keys -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    unions,
    users,
    programs,
    phases,
    fields,
    role_grants,
    quotas,
    initiatives,
    initiative_authors,
    coauthor_invitations,
    attachments,
    audit_log,
    outbox,
    duplicate_candidates,
    review_stages,
    committees,
    committee_members,
    rubric_criteria,
    review_cases,
    review_assignments,
    review_loads,
    union_counts,
    union_days,
    union_fields,
    review_conflicts,
    initiative_versions,
    awards,
    mail_outbox,
    mail_preferences,
    sessions,
    sign_in_throttle,
    idempotency_keys,
    reorganisations,
    union_versions,
    union_successions,
    quota_history,
);
