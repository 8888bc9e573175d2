mod debtor_account;
