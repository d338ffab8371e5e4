print("RLHFExample: written later")
