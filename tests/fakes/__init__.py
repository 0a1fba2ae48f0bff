"""Local fakes of SaaS APIs that enforce the contract sheets in shared/contracts/."""
