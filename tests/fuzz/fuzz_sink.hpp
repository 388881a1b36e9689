// A sink for fuzzers: reads every byte it is given (so ASan sees stale views) and renders each
// transaction as EVE (so the JSON writer and the EVE code see hostile strings too).
#pragma once

#include <cstdint>
#include <string_view>

#include "output/json_writer.hpp"
#include "proto/events.hpp"
#include "proto/smtp/smtp_eve.hpp"

namespace postern::fuzz {

class TouchingSink : public proto::EventSink {
public:
    void on_anomaly(const proto::AnomalyEvent &a) override { touch(a.name); }
    void on_field(proto::Field, std::string_view v) override { touch(v); }
    void on_header(std::string_view n, std::string_view v) override { touch(n), touch(v); }
    void on_command(const proto::CommandEvent &c) override { touch(c.name); }
    void on_reply(proto::Protocol, std::string_view v) override { touch(v); }
    void on_auth(proto::Protocol, std::string_view m, std::string_view u, proto::AuthResult) override {
        touch(m), touch(u);
    }
    void on_part_end(const proto::MimePartEnd &p) override {
        touch(p.content_type), touch(p.filename), touch(p.head);
        sum += p.decoded_bytes + p.after_end_marker + p.end_marker + p.attachment;
    }
    void on_file(const proto::FileEvent &f) override {
        touch(f.filename), touch(f.content_type), touch(f.head), touch(f.message_id), touch(f.subject), touch(f.from);
        sum += f.size + f.gap + f.digests.present + f.digests.sha256[0];
    }
    void on_transaction(const proto::SmtpTransaction &tx) override {
        output::FixedJsonWriter<65536> w;
        w.begin_object();
        proto::write_smtp_transaction(w, tx);
        w.end_object();
        touch(w.view());
    }
    uint64_t sum = 0;

private:
    void touch(std::string_view s) {
        for (char c : s) sum += static_cast<unsigned char>(c);
    }
};

}  // namespace postern::fuzz
