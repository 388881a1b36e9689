#include "proto/smtp/smtp_eve.hpp"

#include "proto/common/eve_fields.hpp"
#include "proto/mime/email_eve.hpp"
#include "proto/smtp/smtp_command.hpp"

namespace postern::proto {

namespace {

// Suricata writes envelope addresses with their angle brackets: "<user@example.com>".
void write_path(output::JsonWriter &w, std::string_view address) {
    char buf[SmtpLimits::kMaxCommandLine + 2];
    size_t n = 0;
    buf[n++] = '<';
    for (char c : address)
        if (n < sizeof buf - 1) buf[n++] = c;
    buf[n++] = '>';
    w.string({buf, n});
}

std::string_view data_mode_name(SmtpDataMode m) { return util::enum_name(kSmtpDataModeNames, m, "none"); }

}  // namespace

void write_smtp_object(output::JsonWriter &w, const SmtpTransaction &tx) {
    w.key("smtp");
    w.begin_object();
    // Suricata's fields.
    if (!tx.helo.empty()) w.field("helo", tx.helo);
    if (tx.data_mode != SmtpDataMode::None || !tx.mail_from.empty() || tx.rcpt_to.kept > 0) {
        w.key("mail_from");
        write_path(w, tx.mail_from);
    }
    if (tx.rcpt_to.kept > 0) {  // the schema wants minItems 1
        w.key("rcpt_to");
        w.begin_array();
        for (std::string_view r : tx.rcpt_to) write_path(w, r);
        w.end_array();
    }

    // Postern's additions.
    w.field("extended_hello", tx.ehlo);
    if (tx.capabilities != 0) write_capabilities(w, tx.capabilities, kSmtpCapabilities);
    if (tx.auth_attempted) write_auth(w, tx.auth_mechanism, tx.auth_user, tx.auth_result, tx.auth_secret_seen);
    w.field("starttls", tx.starttls);
    if (tx.declared_size > 0) w.field("declared_size", tx.declared_size);
    if (!tx.body_type.empty()) w.field("body_type", tx.body_type);
    if (tx.smtputf8) w.field("smtputf8", true);
    if (tx.rcpt_to.total > tx.rcpt_to.kept) w.field("rcpt_count", tx.rcpt_to.total);
    if (tx.rcpt_rejected > 0) w.field("rcpt_rejected", tx.rcpt_rejected);
    w.field("commands", tx.commands);
    if (tx.unknown_commands > 0) w.field("unknown_commands", tx.unknown_commands);
    if (tx.reply_codes.kept > 0) {
        w.key("reply_codes");
        w.begin_array();
        for (uint16_t c : tx.reply_codes) w.number(uint64_t{c});
        w.end_array();
    }
    w.field("data_mode", data_mode_name(tx.data_mode));
    if (tx.data_mode == SmtpDataMode::Bdat) w.field("bdat_chunks", tx.bdat_chunks);
    if (tx.has_message) {
        w.field("message_complete", tx.message_complete);
        w.field("message_accepted", tx.message_accepted);
    }
    w.field("end", smtp_tx_end_name(tx.end));
    if (tx.gap) w.field("gap", true);
    w.end_object();
}

void write_smtp_transaction(output::JsonWriter &w, const SmtpTransaction &tx) {
    write_smtp_object(w, tx);
    if (tx.has_message) write_email_object(w, tx.message);
}

}  // namespace postern::proto
