"""Application-domain tagging of works: keyword rules, an optional semantic classifier, evaluation."""
