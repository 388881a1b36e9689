#include "synth/mail/body_text.hpp"

#include "synth/mail/corpus.hpp"

namespace postern::synth::mail {

namespace {

constexpr size_t kWrap = 72;

// Appends `text` word by word, breaking lines before they pass kWrap columns.
void append_wrapped(std::string &out, std::string_view text, size_t &col) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(pos, end - pos);
        if (col > 0 && col + 1 + word.size() > kWrap) {
            out += "\r\n";
            col = 0;
        }
        if (col > 0) {
            out += ' ';
            ++col;
        }
        out += word;
        col += word.size();
        pos = end + 1;
    }
}

void end_line(std::string &out, size_t &col) {
    out += "\r\n";
    col = 0;
}

}  // namespace

std::string body_text(Rng &rng, size_t bytes, std::string_view signature, bool foreign) {
    const auto sents = sentences();
    std::string out;
    out.reserve(bytes + 256);
    out += greeting_line(rng);
    out += "\r\n\r\n";
    const size_t goal = bytes > signature.size() + 40 ? bytes - signature.size() - 40 : 0;
    bool foreign_done = !foreign;
    const bool dot_line = rng.chance(0.15);
    size_t paragraphs = 0;
    do {
        size_t col = 0;
        if (!foreign_done && (paragraphs > 0 || rng.chance(0.5))) {
            const auto paras = foreign_paragraphs();
            append_wrapped(out, paras[rng.below(paras.size())], col);
            foreign_done = true;
        } else {
            const uint64_t n = rng.between(2, 6);
            for (uint64_t i = 0; i < n; ++i) append_wrapped(out, sents[rng.below(sents.size())], col);
        }
        end_line(out, col);
        if (dot_line && paragraphs == 0) {
            const auto dots = dot_lines();
            out += dots[rng.below(dots.size())];
            end_line(out, col);
        }
        out += "\r\n";
        ++paragraphs;
    } while (out.size() < goal || !foreign_done);
    out += signoff_line(rng);
    out += "\r\n";
    out += signature;
    out += "\r\n";
    return out;
}

std::string body_html(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 5 / 4 + 200);
    out += "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>\r\n<body>\r\n<p>";
    size_t pos = 0;
    bool para_open = true, para_empty = true;
    while (pos < text.size()) {
        size_t eol = text.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 2;
        if (line.empty()) {
            if (para_open) out += "</p>\r\n";
            para_open = false;
            para_empty = true;
            continue;
        }
        if (!para_open) {
            out += "<p>";
            para_open = true;
        } else if (!para_empty) {
            out += "<br>\r\n";
        }
        para_empty = false;
        for (char c : line) {
            switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c;
            }
        }
    }
    if (para_open) out += "</p>\r\n";
    out += "</body></html>\r\n";
    return out;
}

}  // namespace postern::synth::mail
