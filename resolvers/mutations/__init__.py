"""Mutations: check the arguments, run the write in its own transaction, audit every attempt."""
