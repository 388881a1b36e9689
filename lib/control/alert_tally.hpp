// Alerts counted by signature, for the summary an offline run prints at the end (as a person at a
// terminal wants to see at once what was found). Control thread only; alerts are rare enough to
// parse.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::control {

class AlertTally {
public:
    struct Row {
        uint64_t count = 0;
        int severity = 0;
        uint64_t signature_id = 0;
        std::string signature;
    };

    void add(std::string_view alert_record);  // one EVE alert line; a line without "alert" counts as unknown

    // Most frequent first; ties by severity (1 is the most severe), then signature id.
    std::vector<Row> rows() const;

private:
    std::map<std::pair<uint64_t, std::string>, Row> rows_;
};

// The rows as aligned text lines: "  count  sev  [sid] signature".
std::string format_alert_table(const std::vector<AlertTally::Row> &rows);

}  // namespace postern::control
