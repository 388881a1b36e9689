// RecordingSink that also renders POP3 transactions as EVE (pop3 + email objects).
#pragma once

#include <string>

#include "output/json_writer.hpp"
#include "proto/pop3/pop3_eve.hpp"
#include "recording_sink.hpp"

namespace postern::proto::test {

class Pop3RecordingSink : public RecordingSink {
public:
    using RecordingSink::on_transaction;
    void on_transaction(const Pop3Transaction &tx) override {
        output::FixedJsonWriter<32768> w;
        w.begin_object();
        write_pop3_transaction(w, tx);
        w.end_object();
        transactions.emplace_back(w.view());
        events.push_back("transaction " + std::string(w.view()));
    }
};

}  // namespace postern::proto::test
