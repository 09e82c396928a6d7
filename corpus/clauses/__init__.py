"""ISO 9001:2015 clause catalogue (YAML data), installed as the package assistant.catalogue."""
