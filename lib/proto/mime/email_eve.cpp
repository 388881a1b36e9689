#include "proto/mime/email_eve.hpp"

#include "proto/common/eve_fields.hpp"

namespace postern::proto {

void write_email_object(output::JsonWriter &w, const EmailMessage &msg) {
    w.key("email");
    w.begin_object();
    // Suricata's fields.
    write_if(w, "from", msg.from);
    write_strings(w, "to", msg.to);
    write_strings(w, "cc", msg.cc);
    write_if(w, "subject", msg.subject);
    write_if(w, "date", msg.date);
    write_if(w, "message_id", msg.message_id);
    write_if(w, "x_mailer", msg.x_mailer);
    write_strings(w, "received", msg.received);
    bool any_attachment = false;
    for (const MimePartInfo &p : msg.parts) any_attachment |= !p.filename.empty();
    if (any_attachment) {
        w.key("attachment");
        w.begin_array();
        for (const MimePartInfo &p : msg.parts)
            if (!p.filename.empty()) w.string(p.filename);
        w.end_array();
    }
    if (msg.complete) w.field("status", "PARSE_DONE");

    // Postern's additions.
    write_if(w, "user_agent", msg.user_agent);
    write_if(w, "reply_to", msg.reply_to);
    write_if(w, "return_path", msg.return_path);
    w.field("size", msg.size);
    w.field("header_count", msg.header_count);
    w.field("x_header_count", msg.x_header_count);
    if (msg.to.total > msg.to.kept) w.field("to_count", msg.to.total);
    if (msg.cc.total > msg.cc.kept) w.field("cc_count", msg.cc.total);
    w.field("multipart", msg.multipart);
    if (!msg.parts.empty()) {
        w.key("parts");
        w.begin_array();
        for (const MimePartInfo &p : msg.parts) {
            w.begin_object();
            w.field("content_type", p.content_type.empty() ? std::string_view{"text/plain"} : p.content_type);
            write_if(w, "charset", p.charset);
            write_if(w, "disposition", p.disposition);
            write_if(w, "filename", p.filename);
            w.field("transfer_encoding", transfer_encoding_name(p.encoding));
            w.field("depth", uint32_t{p.depth});
            w.field("size", p.size);
            w.end_object();
        }
        w.end_array();
        if (msg.parts.total > msg.parts.kept) w.field("parts_count", msg.parts.total);
    }
    if (msg.gap) w.field("gap", true);
    if (msg.truncated) w.field("truncated", true);
    if (msg.boundary_missing) w.field("boundary_missing", true);
    w.end_object();
}

}  // namespace postern::proto
