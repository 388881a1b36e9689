#include "proto/pop3/pop3_eve.hpp"

#include "proto/common/eve_fields.hpp"
#include "proto/mime/email_eve.hpp"

namespace postern::proto {

void write_pop3_object(output::JsonWriter &w, const Pop3Transaction &tx) {
    w.key("pop3");
    w.begin_object();
    // Suricata's fields.
    if (tx.has_command) {
        w.key("request");
        w.begin_object();
        w.field("command", tx.command);
        write_strings(w, "args", tx.args);
        if (tx.args.total > tx.args.kept) w.field("args_count", tx.args.total);
        if (tx.args_redacted) w.field("redacted", true);
        if (tx.pipelined) w.field("pipelined", true);
        w.end_object();
    }
    if (tx.status != Pop3Status::None) {
        w.key("response");
        w.begin_object();
        w.field("success", tx.status == Pop3Status::Ok);
        w.field("status", pop3_status_name(tx.status));
        w.field("header", tx.header);
        write_strings(w, "data", tx.data);
        // Postern's additions to the response.
        if (tx.multiline) {
            w.field("multiline", true);
            w.field("lines", tx.response_lines);
        }
        w.field("complete", tx.response_complete);
        if (tx.continuations > 0) w.field("continuations", tx.continuations);
        w.end_object();
    }

    // Postern's additions.
    w.field("id", tx.id);
    if (tx.greeting) {
        w.field("greeting", true);
        write_if(w, "apop_timestamp", tx.apop_timestamp);
    }
    write_if(w, "user", tx.user);
    if (tx.auth_command) write_auth(w, tx.auth_mechanism, tx.user, tx.auth_result, tx.auth_secret_seen);
    if (tx.has_command && tx.verb == Pop3Verb::Capa && tx.capabilities != 0)
        write_capabilities(w, tx.capabilities, kPop3Capabilities);
    if (tx.data.total > tx.data.kept) w.field("data_count", tx.data.total);
    if (tx.has_message) {
        if (tx.declared_size > 0) w.field("declared_size", tx.declared_size);
        w.field("message_size", tx.message.size);
    }
    w.field("starttls", tx.starttls);
    w.field("end", pop3_tx_end_name(tx.end));
    if (tx.gap) w.field("gap", true);
    w.end_object();
}

void write_pop3_transaction(output::JsonWriter &w, const Pop3Transaction &tx) {
    write_pop3_object(w, tx);
    if (tx.has_message) write_email_object(w, tx.message);
}

}  // namespace postern::proto
