#include "rules/transcript.hpp"

#include <memory>

#include "proto/imap/imap_parser.hpp"
#include "proto/pop3/pop3_parser.hpp"
#include "proto/smtp/smtp_parser.hpp"

namespace postern::rules {

using stream::Direction;

bool transcript_supported(proto::Protocol p) {
    return p == proto::Protocol::Smtp || p == proto::Protocol::Pop3 || p == proto::Protocol::Imap;
}

bool append_transcript_line(TranscriptChunks &chunks, std::string_view line) {
    if (line.size() < 2 || line[1] != ':' || (line[0] != 'C' && line[0] != 'S')) return false;
    const Direction dir = line[0] == 'C' ? Direction::ToServer : Direction::ToClient;
    std::string_view text = line.substr(2);
    if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
    if (chunks.empty() || chunks.back().first != dir) chunks.emplace_back(dir, std::string());
    chunks.back().second.append(text).append("\r\n");
    return true;
}

namespace {

template <typename Parser>
void feed(Parser &parser, const TranscriptChunks &chunks) {
    for (const auto &[dir, bytes] : chunks)
        parser.on_data(dir, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    parser.on_end(Direction::ToServer);
    parser.on_end(Direction::ToClient);
}

}  // namespace

void run_transcript(proto::Protocol p, const TranscriptChunks &chunks, proto::EventSink &sink) {
    // Parsers are large fixed-size objects: keep them off the stack.
    if (p == proto::Protocol::Smtp) {
        auto parser = std::make_unique<proto::SmtpParser>(sink);
        feed(*parser, chunks);
    } else if (p == proto::Protocol::Pop3) {
        auto parser = std::make_unique<proto::Pop3Parser>(sink);
        feed(*parser, chunks);
    } else if (p == proto::Protocol::Imap) {
        auto parser = std::make_unique<proto::ImapParser>(sink);
        feed(*parser, chunks);
    }
}

}  // namespace postern::rules
