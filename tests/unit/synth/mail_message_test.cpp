#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "mail_test_util.hpp"
#include "synth/mail/attachment.hpp"
#include "synth/mail/encoding.hpp"
#include "synth/mail/message_builder.hpp"

namespace postern::synth {
namespace {

using namespace mail;

TEST(SynthMailEncoding, Base64MatchesRfc4648Vectors) {
    const std::pair<const char *, const char *> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                             {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},   {"fooba", "Zm9vYmE="},
                                                             {"foobar", "Zm9vYmFy"}};
    for (const auto &[in, out] : vectors) {
        EXPECT_EQ(base64(in), out);
    }
    std::string wrapped;
    const std::string data(200, 'x');
    append_base64(wrapped, reinterpret_cast<const uint8_t *>(data.data()), data.size(), 76);
    EXPECT_EQ(wrapped.find("\r\n"), 76u);
    EXPECT_EQ(testing::b64decode(wrapped), data);
}

TEST(SynthMailEncoding, EncodedWordsDecodeAndStayWithinLimits) {
    for (const std::string text : {"Счёт на оплату № 1187 и ещё немного текста, чтобы слово разделилось",
                                   "会議のお知らせ：来週の月曜日に全体会議を行いますのでご参加ください",
                                   "Bestätigung Ihrer Bestellung über 3 Artikel", "Zoë", "Ω"}) {
        for (char enc : {'B', 'Q'}) {
            const std::string w = encoded_words(text, enc, 9);
            SCOPED_TRACE(w);
            EXPECT_EQ(testing::decode_words(w), text);
            size_t first = 0;
            for (size_t pos = 0; pos <= w.size();) {
                const size_t eol = std::min(w.find("\r\n", pos), w.size());
                const size_t used = pos == 0 ? 9 : 0;  // "Subject: " on the first line
                EXPECT_LE(used + eol - pos, 76u);
                if (pos == 0) first = eol;
                pos = eol + 2;
            }
            EXPECT_GT(first, 0u);
            for (size_t at = w.find("=?UTF-8?"); at != std::string::npos; at = w.find("=?UTF-8?", at + 1)) {
                const size_t end = w.find("?=", at + 10) + 2;  // RFC 2047 2: words of at most 75
                EXPECT_LE(end - at, 75u);
                at = end - 1;
            }
        }
    }
}

TEST(SynthMailEncoding, QuotedPrintableKeepsLinesShortAndDecodes) {
    const std::string text =
        "Short line\r\n.leading dot and trailing space \r\n" + std::string(300, 'a') + "=\r\n" +
        "Καλημέρα σας, σας στέλνω την προσφορά για το έργο. Παρακαλώ επιβεβαιώστε την παραλαβή.\r\n";
    std::string qp;
    append_quoted_printable(qp, text);
    EXPECT_EQ(testing::qp_decode(qp), text);
    for (size_t pos = 0; pos < qp.size();) {
        const size_t eol = qp.find("\r\n", pos);
        EXPECT_LE(eol - pos, 76u);
        EXPECT_NE(qp[pos], '.');  // never a leading dot: safe through SMTP and POP3 as is
        pos = eol + 2;
    }
}

TEST(SynthMailEncoding, DotStuffingDoublesLeadingDotsAndTerminates) {
    std::string out;
    append_dot_stuffed(out, ".a\r\nb.\r\n.\r\n..\r\n");
    EXPECT_EQ(out, "..a\r\nb.\r\n..\r\n...\r\n.\r\n");
}

TEST(SynthMailEncoding, DatesAreRfc5322) {
    EXPECT_EQ(rfc5322_date(1700000000, 0), "Tue, 14 Nov 2023 22:13:20 +0000");
    EXPECT_EQ(rfc5322_date(1700000000, 120), "Wed, 15 Nov 2023 00:13:20 +0200");
    EXPECT_EQ(rfc5322_date(1700000000, -480), "Tue, 14 Nov 2023 14:13:20 -0800");
    EXPECT_EQ(rfc5322_date(1709164800, 330), "Thu, 29 Feb 2024 05:30:00 +0530");
}

TEST(SynthMailMessage, FilesStartWithTheirMagicNumbers) {
    Rng rng(3);
    for (const char *ext : {"pdf", "docx", "xlsx", "zip", "png", "jpg"}) {
        for (uint64_t size : {10u, 5000u, 300000u}) {
            std::vector<uint8_t> f;
            make_file(ext, size, rng, f);
            const std::string data(f.begin(), f.end());
            EXPECT_TRUE(testing::has_magic(std::string("x.") + ext, data)) << ext;
            if (size >= 5000) {
                EXPECT_NEAR(static_cast<double>(f.size()), static_cast<double>(size),
                            static_cast<double>(size) * 0.01 + 200);
            }
            if (std::string_view(ext) == "zip" || std::string_view(ext) == "docx") {  // end of central directory
                EXPECT_EQ(data.substr(data.size() - 22, 4), std::string("PK\x05\x06", 4));
            }
            if (std::string_view(ext) == "pdf") {
                EXPECT_TRUE(data.ends_with("%%EOF\n"));
            }
            if (std::string_view(ext) == "png") {
                EXPECT_EQ(data.substr(data.size() - 8, 4), "IEND");
            }
        }
    }
}

MessageSpec spec_for(Rng &rng, uint64_t size, int hops) {
    MessageSpec spec;
    spec.from = person(rng, "example.com");
    spec.to = {person(rng, "example.org"), person(rng, "corp.example")};
    spec.cc = {person(rng, "example.net")};
    spec.date_s = 1700000000;
    spec.size = size;
    spec.received_hops = hops;
    spec.return_path = hops > 0;
    return spec;
}

TEST(SynthMailMessage, MessagesAreWellFormedAndMatchTheirSummary) {
    Rng rng(42);
    int with_attachments = 0, encoded_subjects = 0, multipart = 0, rfc2231 = 0;
    for (int i = 0; i < 300; ++i) {
        const uint64_t size = rng.log_between(100, 2'000'000);
        const Message m = build_message(spec_for(rng, size, static_cast<int>(i % 4)), rng);
        testing::check_message(m.data, message_truth(m));
        with_attachments += !m.attachments.empty();
        encoded_subjects += m.data.find("Subject: =?UTF-8?") != std::string::npos;
        multipart += m.data.find("Content-Type: multipart/") != std::string::npos;
        rfc2231 += m.data.find("filename*=UTF-8''") != std::string::npos;
        // Sizes follow the request: small ones become a short complete message, large ones land near it.
        if (size >= 4000) {
            EXPECT_GT(m.data.size(), size / 2) << size;
            EXPECT_LT(m.data.size(), size * 3 / 2 + 1000) << size;
        } else {
            EXPECT_LT(m.data.size(), 6000u);
        }
    }
    EXPECT_GT(with_attachments, 30);
    EXPECT_GT(encoded_subjects, 20);
    EXPECT_GT(multipart, 60);
    EXPECT_GT(rfc2231, 0);
}

TEST(SynthMailMessage, NamesAndAddressesStayInDocumentationSpace) {
    Rng rng(9);
    const std::regex domain(R"(@([A-Za-z0-9.-]+))"), hop(R"((?:from|by) ([A-Za-z0-9.-]+\.[A-Za-z]+)[ )])"),
        ipv4(R"(\[(\d+\.\d+\.\d+)\.\d+\])"), ipv6(R"(IPv6:([0-9a-f:]+))");
    auto documentation_domain = [](const std::string &d) {
        for (const char *suffix : {"example.com", "example.net", "example.org", ".example"})
            if (d.ends_with(suffix)) return true;
        return false;
    };
    for (int i = 0; i < 200; ++i) {
        const Message m = build_message(spec_for(rng, 3000, 3), rng);
        const std::string head = m.data.substr(0, m.data.find("\r\n\r\n"));
        for (std::sregex_iterator it(head.begin(), head.end(), domain), end; it != end; ++it)
            EXPECT_TRUE(documentation_domain((*it)[1])) << (*it)[1];
        for (std::sregex_iterator it(head.begin(), head.end(), hop), end; it != end; ++it)
            EXPECT_TRUE(documentation_domain((*it)[1])) << (*it)[1];
        for (std::sregex_iterator it(head.begin(), head.end(), ipv4), end; it != end; ++it) {
            const std::string net = (*it)[1];
            EXPECT_TRUE(net == "192.0.2" || net == "198.51.100" || net == "203.0.113") << net;
        }
        for (std::sregex_iterator it(head.begin(), head.end(), ipv6), end; it != end; ++it)
            EXPECT_EQ(std::string((*it)[1]).rfind("2001:db8:", 0), 0u);
    }
}

}  // namespace
}  // namespace postern::synth
