"""`touchstream collector`: the HTTP service websites and call systems POST events and feedback
to. Items are checked with the codec's rules, encoded to Avro and produced to Kafka; bad ones go
to the dead-letter topic, and the answer says which was which."""
