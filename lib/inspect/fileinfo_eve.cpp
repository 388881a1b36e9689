#include "inspect/fileinfo_eve.hpp"

namespace postern::inspect {

namespace {

void hex_field(output::JsonWriter &w, std::string_view key, const uint8_t *d, size_t n) {
    char hex[64];
    proto::digest_hex(d, n, hex);
    w.field(key, std::string_view(hex, 2 * n));
}

}  // namespace

void write_fileinfo(output::JsonWriter &w, const proto::FileEvent &file, bool stored) {
    w.field("tx_id", file.tx_id);
    if (!file.message_id.empty() || !file.subject.empty() || !file.from.empty()) {
        w.key("email");
        w.begin_object();
        if (!file.from.empty()) w.field("from", file.from);
        if (!file.subject.empty()) w.field("subject", file.subject);
        if (!file.message_id.empty()) w.field("message_id", file.message_id);
        w.end_object();
    }
    w.key("fileinfo");
    w.begin_object();
    w.field("filename", file.message ? std::string_view("message.eml") : file.filename);
    if (!file.magic.empty()) w.field("magic", file.magic);
    if (!file.content_type.empty()) w.field("mimetype", file.content_type);
    w.field("gaps", file.gap);
    w.field("state", file.gap ? std::string_view("TRUNCATED") : std::string_view("CLOSED"));
    const proto::FileDigests &d = file.digests;
    if (d.present & proto::kMd5) hex_field(w, "md5", d.md5, sizeof d.md5);
    if (d.present & proto::kSha1) hex_field(w, "sha1", d.sha1, sizeof d.sha1);
    if (d.present & proto::kSha256) hex_field(w, "sha256", d.sha256, sizeof d.sha256);
    w.field("stored", stored);
    if (file.store_rule) {  // the rule with "filestore" that selected it
        w.key("sid");
        w.begin_array();
        w.number(uint64_t{file.store_rule});
        w.end_array();
    }
    w.field("size", file.size);
    w.end_object();
}

}  // namespace postern::inspect
