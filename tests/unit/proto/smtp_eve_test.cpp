// The `smtp` and `email` objects must validate against Suricata's EVE schema once the keys the
// schema does not know (our additions) are pruned.
#include "proto/smtp/smtp_eve.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "proto/smtp/smtp_parser.hpp"
#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto {
namespace {

using nlohmann::json;

std::string find_schema() {
    if (const char *env = std::getenv("POSTERN_EVE_SCHEMA")) return env;
    // __FILE__ is .../tests/unit/proto/smtp_eve_test.cpp; shared/ sits beside the repository.
    std::filesystem::path root = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "..";
    for (const auto &candidate : {root / ".." / "shared" / "reference" / "suricata-eve-schema.json",
                                  std::filesystem::path("/work/shared/reference/suricata-eve-schema.json")}) {
        if (std::filesystem::exists(candidate)) return candidate.string();
    }
    return {};
}

bool type_matches(const json &v, const std::string &type) {
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return false;
}

// A JSON-schema subset (type, properties, items, minItems, enum, $ref): enough for smtp/email.
// Keys the schema does not define are pruned, not rejected.
void validate(const json &v, const json &schema, const json &root, const std::string &path,
              std::vector<std::string> &errors) {
    if (schema.contains("$ref")) {
        const std::string ref = schema["$ref"];
        const std::string name = ref.substr(ref.rfind('/') + 1);
        validate(v, root["$defs"][name], root, path, errors);
        return;
    }
    if (schema.contains("type")) {
        bool ok = false;
        if (schema["type"].is_array()) {
            for (const auto &t : schema["type"]) ok |= type_matches(v, t);
        } else {
            ok = type_matches(v, schema["type"]);
        }
        if (!ok) errors.push_back(path + ": type should be " + schema["type"].dump() + ", is " + v.dump());
    }
    if (schema.contains("enum") && std::find(schema["enum"].begin(), schema["enum"].end(), v) == schema["enum"].end())
        errors.push_back(path + ": not in enum");
    if (v.is_object() && schema.contains("properties")) {
        for (const auto &[key, value] : v.items())
            if (schema["properties"].contains(key)) validate(value, schema["properties"][key], root, path + "." + key, errors);
    }
    if (v.is_array()) {
        if (schema.contains("minItems") && v.size() < schema["minItems"].get<size_t>())
            errors.push_back(path + ": fewer than minItems");
        if (schema.contains("items"))
            for (size_t i = 0; i < v.size(); ++i)
                validate(v[i], schema["items"], root, path + "[" + std::to_string(i) + "]", errors);
    }
}

class ProtoSmtpEve : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string path = find_schema();
        if (path.empty()) GTEST_SKIP() << "suricata-eve-schema.json not found (set POSTERN_EVE_SCHEMA)";
        std::ifstream in(path);
        schema_ = json::parse(in);
    }

    void expect_valid(const std::string &record) {
        const json v = json::parse(record);
        std::vector<std::string> errors;
        validate(v, schema_, schema_, "", errors);
        for (const auto &e : errors) ADD_FAILURE() << e << "\n" << record;
        EXPECT_TRUE(v.contains("smtp"));
    }

    json schema_;
};

TEST_F(ProtoSmtpEve, TranscriptsValidate) {
    for (const auto &steps : {test::pipelined_auth_plain_transcript(), test::bdat_auth_login_transcript(),
                              test::cram_md5_transcript(), test::xoauth2_starttls_transcript()}) {
        test::RecordingSink sink;
        SmtpParser parser(sink);
        test::feed(parser, steps);
        ASSERT_FALSE(sink.transactions.empty());
        for (const auto &tx : sink.transactions) expect_valid(tx);
    }
}

TEST_F(ProtoSmtpEve, EmailObjectHasSuricataShapes) {
    test::RecordingSink sink;
    SmtpParser parser(sink);
    test::feed(parser, test::pipelined_auth_plain_transcript());
    ASSERT_EQ(sink.transactions.size(), 1u);
    const json v = json::parse(sink.transactions[0]);
    const json &email = v["email"];
    EXPECT_EQ(email["subject"], "Quarterly r\xC3\xA9port attached");
    EXPECT_EQ(email["to"].size(), 2u);
    EXPECT_EQ(email["cc"][0], "Dav\xC3\xA9 <dave@example.com>");
    EXPECT_EQ(email["attachment"][0], "r\xC3\xA9port.bin");
    EXPECT_EQ(email["message_id"], "<1234@example.org>");
    EXPECT_EQ(email["x_mailer"], "PostMailer 1.0");
    EXPECT_EQ(v["smtp"]["mail_from"], "<alice@example.org>");
    EXPECT_EQ(v["smtp"]["auth"]["user"], "alice");
}

TEST_F(ProtoSmtpEve, EmptyTransactionLeavesOutEmptyArrays) {
    SmtpTransaction tx;
    output::FixedJsonWriter<4096> w;
    w.begin_object();
    write_smtp_transaction(w, tx);
    w.end_object();
    ASSERT_FALSE(w.overflowed());
    const std::string record(w.view());
    EXPECT_EQ(record.find("rcpt_to"), std::string::npos);
    expect_valid(record);
}

TEST_F(ProtoSmtpEve, HostileStringsStayValidJson) {
    test::RecordingSink sink;
    SmtpParser parser(sink);
    test::feed(parser, test::with_ends({
                           test::server("220 x ESMTP\r\n"),
                           test::client("HELO \"\\\x01\xff\r\nMAIL FROM:<\"q\"\\@x>\r\nRCPT TO:<\xc3\x28@y>\r\nDATA\r\n"),
                           test::server("250 a\r\n250 b\r\n250 c\r\n354 d\r\n"),
                           test::client("Subject: =?utf-8?B?/w==?= \"\\\r\nTo: \x01\r\n\r\n.\r\n"),
                           test::server("250 e\r\n"),
                       }));
    ASSERT_EQ(sink.transactions.size(), 1u);
    expect_valid(sink.transactions[0]);
}

}  // namespace
}  // namespace postern::proto
