#include "detect/content_shape.hpp"

#include "detect/text_shape.hpp"

namespace postern::detect {

namespace {

constexpr size_t kMinBlob = 64;  // base64 or hex run that makes a text part opaque
constexpr size_t kMinSample = 128;  // decoded bytes needed to judge entropy
constexpr double kOpaqueEntropy = 6.5;  // bits per byte: ciphertext and random data (~7.2 at 256 B)
constexpr double kHumanEntropy = 5.5;  // natural language is about 4-5

bool is_text(std::string_view type) { return type.empty() || type.starts_with("text/"); }

std::string_view first_line(std::string_view s) {
    while (!s.empty() && (s.front() == '\r' || s.front() == '\n' || s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    const size_t end = s.find_first_of("\r\n");
    return end == std::string_view::npos ? s : s.substr(0, end);
}

}  // namespace

ContentShape content_shape(const proto::MimePartEnd &part) {
    const std::string_view p = part.prefix;
    if (is_text(part.content_type) && !part.attachment) {
        const std::string_view line = first_line(p);
        if (line.size() >= kMinBlob && classify_token(line) != TokenShape::Text) return ContentShape::Opaque;
        size_t spaces = 0;
        for (char c : p) spaces += c == ' ';
        if (spaces >= 3 && shannon_entropy(p) < kHumanEntropy) return ContentShape::Human;
        return ContentShape::Other;
    }
    const bool untyped = part.content_type.empty() || part.content_type == "application/octet-stream";
    if (untyped && p.size() >= kMinSample && shannon_entropy(p) >= kOpaqueEntropy) return ContentShape::Opaque;
    return ContentShape::Other;
}

}  // namespace postern::detect
