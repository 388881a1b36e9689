#include "proto/imap/imap_eve.hpp"

#include "proto/common/ascii.hpp"
#include "proto/common/eve_fields.hpp"
#include "proto/mime/email_eve.hpp"

namespace postern::proto {

namespace {

std::string_view message_source_name(ImapMessageSource s) {
    return util::enum_name(kImapMessageSourceNames, s, "none");
}

}  // namespace

void write_imap_object(output::JsonWriter &w, const ImapTransaction &tx) {
    w.key("imap");
    w.begin_object();
    w.field("id", tx.id);
    if (tx.has_command) {
        w.field("tag", tx.tag);
        w.field("command", tx.command);
        write_if(w, "arguments", tx.arguments);
        if (tx.arguments_redacted) w.field("redacted", true);
        if (tx.pipelined) w.field("pipelined", true);
        write_if(w, "mailbox", tx.mailbox);
        write_if(w, "destination", tx.destination);
        write_strings(w, "flags", tx.flags);
        write_if(w, "store_action", tx.store_action);
        write_if(w, "sequence_set", tx.sequence_set);
        write_if(w, "date", tx.date);
        if (tx.literals > 0) {
            w.field("literals", tx.literals);
            w.field("literal_bytes", tx.literal_bytes);
        }
    }
    if (tx.status != ImapStatus::None) {
        w.field("status", imap_status_name(tx.status));
        write_if(w, "response_code", tx.response_code);
        write_if(w, "response_text", tx.response_text);
    }
    write_count(w, "untagged", tx.untagged);
    write_count(w, "continuations", tx.continuations);
    write_count(w, "fetches", tx.fetches);
    write_count(w, "expunged", tx.expunged);
    if (tx.has_exists) w.field("exists", tx.exists);
    write_count(w, "search_results", tx.search_results);
    write_strings(w, "mailboxes", tx.mailboxes);
    if (tx.mailboxes.total > tx.mailboxes.kept) w.field("mailboxes_count", tx.mailboxes.total);
    if (tx.has_uid) w.field("uid", tx.uid_value);

    // Session facts.
    if (tx.greeting) w.field("greeting", true);
    write_if(w, "user", tx.user);
    if (tx.auth_command) write_auth(w, tx.auth_mechanism, tx.user, tx.auth_result, tx.auth_secret_seen);
    const bool shows_capabilities = tx.greeting || (tx.has_command && tx.verb == ImapVerb::Capability) ||
                                    ascii::istarts_with(tx.response_code, "CAPABILITY");
    if (shows_capabilities && tx.capabilities != 0) write_capabilities(w, tx.capabilities, kImapCapabilities);
    write_if(w, "selected", tx.selected);

    if (tx.message != nullptr) {
        w.key("message");
        w.begin_object();
        w.field("source", message_source_name(tx.message_source));
        if (tx.message_source == ImapMessageSource::Fetch) {
            w.field("sequence", tx.message_sequence);
            write_if(w, "section", tx.section);
        }
        w.field("literal_size", tx.message_literal);
        w.field("size", tx.message->size);
        w.field("complete", tx.message_complete);
        if (tx.message_partial) w.field("partial", true);
        w.end_object();
    }
    w.field("starttls", tx.starttls);
    if (tx.compressed) w.field("compressed", true);
    w.field("end", imap_tx_end_name(tx.end));
    if (tx.gap) w.field("gap", true);
    w.end_object();
}

void write_imap_transaction(output::JsonWriter &w, const ImapTransaction &tx) {
    write_imap_object(w, tx);
    if (tx.message != nullptr) write_email_object(w, *tx.message);
}

}  // namespace postern::proto
