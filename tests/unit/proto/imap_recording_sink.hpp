// RecordingSink that also renders IMAP transactions as EVE (imap + email objects).
#pragma once

#include <string>

#include "output/json_writer.hpp"
#include "proto/imap/imap_eve.hpp"
#include "recording_sink.hpp"

namespace postern::proto::test {

class ImapRecordingSink : public RecordingSink {
public:
    using RecordingSink::on_transaction;
    void on_transaction(const ImapTransaction &tx) override {
        output::FixedJsonWriter<32768> w;
        w.begin_object();
        write_imap_transaction(w, tx);
        w.end_object();
        transactions.emplace_back(w.view());
        events.push_back("transaction " + std::string(w.view()));
    }
};

}  // namespace postern::proto::test
