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
    }
}

diesel::table! {
    initiatives (id) {
        id -> BigInt,
        program_id -> BigInt,
        phase_id -> Nullable<BigInt>,
        field_id -> Nullable<BigInt>,
        union_id -> BigInt,
        union_path -> Text,
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

diesel::joinable!(users -> unions (union_id));
diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(phases -> programs (program_id));
diesel::joinable!(fields -> programs (program_id));
diesel::joinable!(initiatives -> programs (program_id));
diesel::joinable!(initiative_authors -> initiatives (initiative_id));
diesel::joinable!(attachments -> initiatives (initiative_id));

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
    attachments,
    audit_log,
    outbox,
    duplicate_candidates,
);
